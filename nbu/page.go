package nbu

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// recordSink receives the records of one JSON:API list page as they stream
// past. id and attrs are decode targets for data[].id and data[].attributes;
// reset zeroes them before each record and emit is called after each record
// object, so nothing larger than one record is ever held.
type recordSink struct {
	id    *lString
	attrs any
	reset func()
	emit  func() error
	// skip is told about data[] elements that are not objects.
	skip func(index int, kind string)
	// meta is the decode target for the top-level "meta" member.
	meta any
}

// walkPage streams one JSON:API list document: it walks the top-level object
// with tokens, decodes data[] one element at a time, and decodes meta into
// sink.meta. Members other than data and meta are skipped unread.
func walkPage(r io.Reader, sink *recordSink) error {
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
		return walkRecord(dec, sink, 0)
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
			return describe(dec, fmt.Sprintf("data[%d]", i), err)
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
func walkRecord(dec *json.Decoder, sink *recordSink, i int) error {
	sink.reset()
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return describe(dec, fmt.Sprintf("data[%d]", i), err)
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
			return describe(dec, fmt.Sprintf("data[%d]", i), err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return describe(dec, fmt.Sprintf("data[%d]", i), err)
	}
	if err := sink.emit(); err != nil {
		return &callbackError{err: err}
	}
	return nil
}

// decodeLenient decodes the next value into v, ignoring a value of the wrong
// JSON kind (e.g. "attributes": "n/a"): the fields keep their zero values.
// Syntax errors and reader errors are returned.
func decodeLenient(dec *json.Decoder, v any) error {
	err := dec.Decode(v)
	var ute *json.UnmarshalTypeError
	if err != nil && errors.As(err, &ute) {
		return nil
	}
	return err
}

// describe turns a decoder error into one that says where it broke. Reader
// errors (body cap, cancelled context) pass through unchanged for the caller
// to classify.
func describe(dec *json.Decoder, where string, err error) error {
	var se *json.SyntaxError
	at := ""
	if where != "" {
		at = where + ": "
	}
	switch {
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%struncated JSON after %d bytes: %w", at, dec.InputOffset(), io.ErrUnexpectedEOF)
	case errors.As(err, &se):
		return fmt.Errorf("%smalformed JSON at byte %d: %w", at, se.Offset, err)
	case errors.Is(err, ErrBodyTooLarge):
		return err
	}
	if where == "" {
		return err
	}
	return fmt.Errorf("%s%w", at, err)
}

// kindOf names a token's JSON kind in the words encoding/json uses in
// UnmarshalTypeError.Value, so skipped records are logged uniformly.
func kindOf(tok json.Token) string {
	switch tok.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "bool"
	case float64, json.Number:
		return "number"
	}
	switch tok {
	case json.Delim('['):
		return "array"
	case json.Delim('{'):
		return "object"
	}
	return fmt.Sprint(tok)
}
