// Your adapter: fill in hello and sign. protocol.go (the JSON-lines loop) and httpreq.go
// (helpers for libraries that sign a net/http request) are done; leave them as they are.
package main

// 2 to speak protocol 2 (SigV4a: list "algorithms" in hello); else 1.
const maxProtocol = 1

func hello() map[string]interface{} {
	return map[string]interface{}{
		"name": "my-signer", "version": "0.0.0", "language": "go",
		// The intermediate artifacts sign returns: any of "canonical_request",
		// "string_to_sign", "signature"; an empty list is fine.
		"reveals": []string{},
	}
}

// sign signs one request with the library under test. Rules (harness/PROTOCOL.md):
//   - sign at m.SigningTime(), never the clock (patch the clock where the library reads it);
//   - hand m.Request.Target to the library as given (buildRequest in httpreq.go does, for
//     net/http);
//   - return Unsupportedf("...") for a setting in m.Settings the library cannot express;
//   - return an error when the library refuses the input.
func sign(m Message) (Signed, error) {
	req, host, err := buildRequest(m.Request)
	if err != nil {
		return Signed{}, err
	}
	_ = req
	_ = host
	// Call the library here, then return the signed request, e.g.
	//   return Signed{Method: req.Method, Target: m.Request.Target,
	//       Headers: wireHeaders(m.Request.Headers, host, req.Header)}, nil
	return Signed{}, Unsupportedf("not implemented yet: fill in sign() in sign.go")
}
