// Helpers for adapters whose library signs a net/http *http.Request: building the request
// from the harness's message, and listing the signed request's headers.
package main

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// buildRequest makes an http.Request of the harness's request. The path goes in URL.Opaque
// ("//host/path"), the way aws-sdk-go's signers document to sign a path exactly as it is on
// the wire; the query in RawQuery, as given; Host in req.Host and Content-Length in
// req.ContentLength, where net/http keeps them.
func buildRequest(r Request) (*http.Request, string, error) {
	host, ok := r.Header("host")
	if !ok {
		return nil, "", fmt.Errorf("the request has no Host header")
	}
	path, query := r.Target, ""
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path, query = path[:i], path[i+1:]
	}
	u := &url.URL{Scheme: "https", Host: host, Opaque: "//" + host + path, RawQuery: query}
	req := &http.Request{Method: r.Method, URL: u, Host: host, Header: http.Header{},
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	for _, h := range r.Headers {
		if strings.EqualFold(h[0], "host") {
			continue
		}
		if strings.EqualFold(h[0], "content-length") {
			n, err := strconv.ParseInt(strings.TrimSpace(h[1]), 10, 64)
			if err != nil {
				return nil, "", fmt.Errorf("Content-Length %q is not a number", h[1])
			}
			req.ContentLength = n
		}
		req.Header.Add(h[0], h[1])
	}
	return req, host, nil
}

func pathOf(target string) string {
	if i := strings.IndexByte(target, '?'); i >= 0 {
		return target[:i]
	}
	return target
}

// wireHeaders lists the request's headers in their order, then those the signer added
// (sorted by name). http.Header keeps values per name, so each name's values come out where
// its first one was.
func wireHeaders(original [][2]string, host string, after http.Header) [][2]string {
	var out [][2]string
	seen := map[string]bool{}
	for _, h := range original {
		k := http.CanonicalHeaderKey(h[0])
		if strings.EqualFold(k, "host") {
			out = append(out, [2]string{h[0], host})
			continue
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		for _, v := range after[k] {
			out = append(out, [2]string{h[0], v})
		}
	}
	var added []string
	for k := range after {
		if !seen[k] {
			added = append(added, k)
		}
	}
	sort.Strings(added)
	for _, k := range added {
		for _, v := range after[k] {
			out = append(out, [2]string{k, v})
		}
	}
	return out
}

// parseDebugLog takes the canonical string and string to sign out of the signing log of
// aws-sdk-go's signers (v1 aws/signer/v4 LogDebugWithSigning, v2 aws/signer/v4 and v4a
// LogSigning: the logSignInfoMsg format of their v4.go / v4a.go). Drop it for another library.
func parseDebugLog(msg string) (string, string) {
	const cr = "---[ CANONICAL STRING  ]-----------------------------\n"
	const sts = "\n---[ STRING TO SIGN ]--------------------------------\n"
	const end = "\n-----------------------------------------------------"
	const signedURL = "\n---[ SIGNED URL ]------------------------------------\n"
	i := strings.Index(msg, cr)
	j := strings.Index(msg, sts)
	if i < 0 || j < i {
		return "", ""
	}
	canonical := msg[i+len(cr) : j]
	rest := msg[j+len(sts):]
	if k := strings.Index(rest, signedURL); k >= 0 {
		rest = rest[:k]
	} else if k := strings.LastIndex(rest, end); k >= 0 {
		rest = rest[:k]
	}
	return canonical, rest
}

// checkSignedHeaders is for a signer with no switch for the set of signed headers: when the
// case asks for a set (settings.signed_headers) other than the one the signer chose, the
// answer is unsupported. Host and the x-amz-* headers the signer added itself are left out.
func checkSignedHeaders(wanted []string, original [][2]string, signedNames, library string) error {
	if wanted == nil {
		return nil
	}
	present := map[string]bool{}
	for _, h := range original {
		present[strings.ToLower(h[0])] = true
	}
	chosen := map[string]bool{}
	for _, n := range strings.Split(signedNames, ";") {
		if n != "" && n != "host" && (present[n] || !strings.HasPrefix(n, "x-amz-")) {
			chosen[n] = true
		}
	}
	want := map[string]bool{}
	for _, n := range wanted {
		if n = strings.ToLower(n); n != "host" {
			want[n] = true
		}
	}
	same := len(chosen) == len(want)
	for n := range want {
		same = same && chosen[n]
	}
	if !same {
		return Unsupportedf("%s signs %v of this request and has no switch to sign %v instead", library, keys(chosen), wanted)
	}
	return nil
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
