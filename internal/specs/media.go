package specs

import (
	"mime"
	"strings"
)

// mediaType is a media type as the specs write them: the type and its version parameter.
type mediaType struct {
	typ     string // lower case, without parameters
	version string // "" when there is none
}

func (m mediaType) String() string {
	if m.version == "" {
		return m.typ
	}
	return m.typ + ";version=" + m.version
}

// parseMediaType reads "application/vnd.netbackup+json;version=10.0". What mime cannot parse
// (a spec's typo) is kept whole as the type, so it matches only itself.
func parseMediaType(s string) mediaType {
	typ, params, err := mime.ParseMediaType(s)
	if err != nil {
		return mediaType{typ: strings.ToLower(strings.TrimSpace(s))}
	}
	return mediaType{typ: typ, version: params["version"]}
}

// parseAccept splits an Accept header into its media ranges; the q parameter is ignored.
func parseAccept(values []string) []mediaType {
	var out []mediaType
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, parseMediaType(part))
			}
		}
	}
	return out
}
