// The harness's JSON-lines protocol (harness/PROTOCOL.md, versions 1 and 2): read one message
// per line on stdin, answer one line on stdout, in order; exit 0 when stdin closes.
// Nothing here signs: sign.go does, through the library under test.
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Message is one line from the harness (hello or sign).
type Message struct {
	Protocol    int         `json:"protocol"`
	Op          string      `json:"op"`
	ID          string      `json:"id"`
	Request     Request     `json:"request"`
	Credentials Credentials `json:"credentials"`
	Time        string      `json:"time"`
	Region      string      `json:"region"`
	Service     string      `json:"service"`
	Settings    Settings    `json:"settings"`
}

// Request is the request before signing; Target is the request-target as on the wire.
type Request struct {
	Method  string      `json:"method"`
	Target  string      `json:"target"`
	Headers [][2]string `json:"headers"`
	BodyB64 string      `json:"body_b64"`
}

// Credentials of the signer; SessionToken is nil when there is none.
type Credentials struct {
	AccessKeyID     string  `json:"access_key_id"`
	SecretAccessKey string  `json:"secret_access_key"`
	SessionToken    *string `json:"session_token"`
}

// Payload is settings.payload: Mode is "hash", "unsigned" or "precomputed" (with Value).
type Payload struct {
	Mode  string `json:"mode"`
	Value string `json:"value"`
}

// Settings is settings of a sign message; Algorithm is "" (sigv4) in protocol 1.
type Settings struct {
	Location            string   `json:"location"`
	ExpiresIn           *int64   `json:"expires_in"`
	URIEncoding         string   `json:"uri_encoding"`
	NormalizePath       bool     `json:"normalize_path"`
	Payload             Payload  `json:"payload"`
	ContentSha256Header bool     `json:"content_sha256_header"`
	SessionToken        string   `json:"session_token"`
	SignedHeaders       []string `json:"signed_headers"`
	Algorithm           string   `json:"algorithm"`
}

// Signed is a successful answer: the request as it goes on the wire and what the library
// revealed (empty strings are left out of the answer).
type Signed struct {
	Method           string
	Target           string
	Headers          [][2]string
	CanonicalRequest string
	StringToSign     string
	Signature        string
}

// Unsupported is returned by sign when the library cannot express a setting.
type Unsupported struct{ Reason string }

func (u Unsupported) Error() string { return u.Reason }

// Unsupportedf makes an Unsupported answer.
func Unsupportedf(format string, a ...interface{}) error {
	return Unsupported{fmt.Sprintf(format, a...)}
}

// Body decodes request.body_b64.
func (r Request) Body() ([]byte, error) { return base64.StdEncoding.DecodeString(r.BodyB64) }

// SigningTime parses the message's time (RFC 3339, UTC).
func (m Message) SigningTime() (time.Time, error) { return time.Parse(time.RFC3339, m.Time) }

// Header returns the first value of a header (case-insensitive) and whether it is there.
func (r Request) Header(name string) (string, bool) {
	for _, h := range r.Headers {
		if strings.EqualFold(h[0], name) {
			return h[1], true
		}
	}
	return "", false
}

func answer(line []byte) map[string]interface{} {
	var m Message
	if err := json.Unmarshal(line, &m); err != nil {
		return map[string]interface{}{"protocol": 1, "id": nil, "status": "error",
			"message": "not a protocol message: " + err.Error()}
	}
	base := map[string]interface{}{"protocol": m.Protocol, "id": m.ID}
	if m.Protocol != 1 && (m.Protocol != 2 || maxProtocol < 2) {
		base["protocol"] = 1
		base["status"] = "error"
		base["message"] = fmt.Sprintf("protocol %d not supported", m.Protocol)
		return base
	}
	switch m.Op {
	case "hello":
		base["status"] = "ok"
		for k, v := range hello() {
			base[k] = v
		}
		if maxProtocol >= 2 {
			base["protocols"] = []int{1, 2}
		}
		return base
	case "sign":
	default:
		base["status"] = "error"
		base["message"] = fmt.Sprintf("unknown op %q", m.Op)
		return base
	}
	out, err := sign(m)
	if err != nil {
		if u, ok := err.(Unsupported); ok {
			base["status"] = "unsupported"
			base["reason"] = u.Reason
		} else {
			base["status"] = "error"
			base["message"] = err.Error()
		}
		return base
	}
	base["status"] = "ok"
	headers := out.Headers
	if headers == nil {
		headers = [][2]string{}
	}
	base["signed"] = map[string]interface{}{"method": out.Method, "target": out.Target, "headers": headers}
	for k, v := range map[string]string{"canonical_request": out.CanonicalRequest,
		"string_to_sign": out.StringToSign, "signature": out.Signature} {
		if v != "" {
			base[k] = v
		}
	}
	return base
}

func main() {
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	for {
		line, err := in.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			a := func() (a map[string]interface{}) {
				defer func() {
					if r := recover(); r != nil {
						a = map[string]interface{}{"protocol": 1, "id": nil, "status": "error",
							"message": fmt.Sprintf("adapter panicked: %v", r)}
						var m Message
						if json.Unmarshal(line, &m) == nil {
							a["id"], a["protocol"] = m.ID, m.Protocol
						}
					}
				}()
				return answer(line)
			}()
			if e := enc.Encode(a); e != nil {
				fmt.Fprintln(os.Stderr, "write:", e)
				os.Exit(1)
			}
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "read:", err)
			os.Exit(1)
		}
	}
}
