package nbu

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// walkPageStd is the encoding/json walk of a JSON:API list page that pageDecoder replaces, kept
// as the reference the property and fuzz tests hold it to: it walks the top-level object with
// tokens, decodes data[] one element at a time, and decodes meta into sink.meta. Members other
// than data and meta are skipped unread.
func walkPageStd(r io.Reader, sink *recordSink) error {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err == io.EOF {
		// The jobs spec says "No data is returned if no jobs are found":
		// an empty 2xx body is an empty page, not a broken one.
		return nil
	}
	if err != nil {
		return describe(dec, "", err)
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("top-level JSON value is a %s, not an object", kindOf(tok))
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return describe(dec, "", err)
		}
		key, _ := kt.(string)
		switch key {
		case "data":
			err = walkData(dec, sink)
		case "meta":
			if sink.meta == nil {
				err = dec.Decode(&skipValue{})
			} else {
				err = decodeLenient(dec, sink.meta)
			}
			if err != nil {
				err = describe(dec, "meta", err)
			}
		default:
			// The member name is server text and stays out of the error.
			if err = dec.Decode(&skipValue{}); err != nil {
				err = describe(dec, "a top-level member", err)
			}
		}
		if err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return describe(dec, "", err)
	}
	return nil
}

func walkData(dec *json.Decoder, sink *recordSink) error {
	tok, err := dec.Token()
	if err != nil {
		return describe(dec, "data", err)
	}
	switch tok {
	case nil:
		return nil // "data": null, no records
	case json.Delim('{'):
		// A lone resource object instead of an array: treat it as one record.
		return walkRecord(dec, sink)
	case json.Delim('['):
	default:
		sink.skip(0, kindOf(tok))
		return nil
	}
	// Each element is decoded with one Decode call into a reusable target:
	// walking a record's keys with Token would allocate for every key.
	target := &recordTarget{}
	holder := new(*recordTarget)
	for i := 0; dec.More(); i++ {
		sink.reset()
		target.ID, target.Attributes = sink.id, sink.attrs
		*holder = target
		err := dec.Decode(holder)
		var ute *json.UnmarshalTypeError
		switch {
		case err == nil && *holder == nil:
			sink.skip(i, "null")
			continue
		case err == nil:
		case errors.As(err, &ute) && ute.Field == "":
			// The element itself is not an object (string, number, array...).
			sink.skip(i, ute.Value)
			continue
		case errors.As(err, &ute):
			// A member such as "attributes" had the wrong kind; what did
			// decode is kept, the rest stays zero.
		default:
			return describe(dec, "data[0]", err)
		}
		if err := sink.emit(); err != nil {
			return &callbackError{err: err}
		}
	}
	if _, err := dec.Token(); err != nil {
		return describe(dec, "data", err)
	}
	return nil
}

// recordTarget points encoding/json at the sink's id and attributes. The
// pointers are re-set before every element because a JSON null clears them.
type recordTarget struct {
	ID         *lString `json:"id"`
	Attributes any      `json:"attributes"`
}

// walkRecord decodes one data[] object whose '{' has already been consumed
// (only for a lone "data" object; array elements go through recordTarget).
func walkRecord(dec *json.Decoder, sink *recordSink) error {
	sink.reset()
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return describe(dec, "data[0]", err)
		}
		key, _ := kt.(string)
		switch key {
		case "id":
			err = dec.Decode(sink.id)
		case "attributes":
			err = decodeLenient(dec, sink.attrs)
		default:
			err = dec.Decode(&skipValue{})
		}
		if err != nil {
			return describe(dec, "data[0]", err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return describe(dec, "data[0]", err)
	}
	if err := sink.emit(); err != nil {
		return &callbackError{err: err}
	}
	return nil
}
