// The aws-sdk-go-v2 adapter: aws/signer/v4 (SigV4) and internal/v4a (SigV4a) of
// github.com/aws/aws-sdk-go-v2, Debian's golang-github-aws-aws-sdk-go-v2-dev. internal/v4a
// cannot be imported from outside the SDK, so .ci/setup.d/adapters-other.sh copies it from
// the Debian package into a private GOPATH as sigv4yardstick/awsv2internal/v4a at build time.
// Both signers take the signing time as an argument and report their canonical string and
// string to sign through their signing log (LogSigning), which is parsed here.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/logging"

	"sigv4yardstick/awsv2internal/v4a"
)

// The Debian package's version (golang-github-aws-aws-sdk-go-v2-dev 1.17.1-3).
const libraryVersion = "1.17.1"

// Protocol 2: SigV4a.
const maxProtocol = 2

func hello() map[string]interface{} {
	return map[string]interface{}{
		"name": "aws-sdk-go-v2", "version": libraryVersion, "language": "go",
		"reveals":    []string{"canonical_request", "string_to_sign", "signature"},
		"algorithms": []string{"sigv4", "sigv4a"},
	}
}

func sign(m Message) (Signed, error) {
	s := m.Settings
	sigv4a := s.Algorithm == "sigv4a"
	if s.Algorithm != "" && s.Algorithm != "sigv4" && !sigv4a {
		return Signed{}, Unsupportedf("algorithm %q", s.Algorithm)
	}
	if s.SessionToken == "after-signing" {
		return Signed{}, Unsupportedf("aws-sdk-go-v2 always signs the session token (header or X-Amz-Security-Token parameter)")
	}
	at, err := m.SigningTime()
	if err != nil {
		return Signed{}, err
	}
	body, err := m.Request.Body()
	if err != nil {
		return Signed{}, err
	}
	presign := s.Location == "query"

	// The caller gives the payload hash (SignHTTP's payloadHash argument) and adds
	// X-Amz-Content-Sha256 itself when it wants one, as the SDK's ContentSHA256Header
	// middleware does.
	var payloadHash string
	switch s.Payload.Mode {
	case "hash":
		sum := sha256.Sum256(body)
		payloadHash = hex.EncodeToString(sum[:])
	case "unsigned":
		payloadHash = "UNSIGNED-PAYLOAD"
	case "precomputed":
		payloadHash = s.Payload.Value
	default:
		return Signed{}, Unsupportedf("payload mode %q", s.Payload.Mode)
	}

	req, host, err := buildRequest(m.Request)
	if err != nil {
		return Signed{}, err
	}
	if s.ContentSha256Header && !presign {
		req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	}
	if len(body) > 0 {
		req.Body = nopCloser{bytes.NewReader(body)}
	}
	// net/http keeps Content-Length in req.ContentLength, which is where both signers read it
	// (v4a signs a Content-Length header besides, twice then): not in the header map.
	contentLength, hasContentLength := req.Header["Content-Length"]
	delete(req.Header, "Content-Length")
	if presign {
		// PresignHTTP takes the expiry from an X-Amz-Expires parameter the caller puts in
		// the URL (its documentation).
		if s.ExpiresIn == nil {
			return Signed{}, fmt.Errorf("query signing without expires_in")
		}
		q := "X-Amz-Expires=" + strconv.FormatInt(*s.ExpiresIn, 10)
		if req.URL.RawQuery != "" {
			q = req.URL.RawQuery + "&" + q
		}
		req.URL.RawQuery = q
	}

	var logged []string
	logger := logging.LoggerFunc(func(_ logging.Classification, format string, v ...interface{}) {
		logged = append(logged, fmt.Sprintf(format, v...))
	})
	escapeOff := s.URIEncoding == "single"
	token := ""
	if m.Credentials.SessionToken != nil {
		token = *m.Credentials.SessionToken
	}
	creds := aws.Credentials{AccessKeyID: m.Credentials.AccessKeyID,
		SecretAccessKey: m.Credentials.SecretAccessKey, SessionToken: token}
	ctx := context.Background()
	signedURI := ""
	if sigv4a {
		// The SDK's own adaptor derives the ECDSA key from the access key pair.
		adaptor := &v4a.SymmetricCredentialAdaptor{SymmetricProvider: aws.CredentialsProviderFunc(
			func(context.Context) (aws.Credentials, error) { return creds, nil })}
		key, err := adaptor.RetrievePrivateKey(ctx)
		if err != nil {
			return Signed{}, err
		}
		signer := v4a.NewSigner(func(o *v4a.SignerOptions) {
			o.DisableURIPathEscaping = escapeOff
			o.DisableHeaderHoisting = true
			o.LogSigning = true
			o.Logger = logger
		})
		regionSet := strings.Split(m.Region, ",")
		if presign {
			signedURI, _, err = signer.PresignHTTP(ctx, key, req, payloadHash, m.Service, regionSet, at)
		} else {
			err = signer.SignHTTP(ctx, key, req, payloadHash, m.Service, regionSet, at)
		}
		if err != nil {
			return Signed{}, err
		}
	} else {
		signer := v4.NewSigner(func(o *v4.SignerOptions) {
			o.DisableURIPathEscaping = escapeOff
			// Keep the request's X-Amz-* headers as headers when presigning (the default
			// moves some into the query): the harness's request is signed as given.
			o.DisableHeaderHoisting = true
			o.LogSigning = true
			o.Logger = logger
		})
		if presign {
			signedURI, _, err = signer.PresignHTTP(ctx, creds, req, payloadHash, m.Service, m.Region, at)
		} else {
			err = signer.SignHTTP(ctx, creds, req, payloadHash, m.Service, m.Region, at)
		}
		if err != nil {
			return Signed{}, err
		}
	}

	if hasContentLength {
		req.Header["Content-Length"] = contentLength
	}
	out := Signed{Method: req.Method, Target: pathOf(m.Request.Target)}
	rawQuery := req.URL.RawQuery
	if presign {
		// PresignHTTP returns the URL (v4 works on a clone of the request).
		u, err := url.Parse(signedURI)
		if err != nil {
			return Signed{}, fmt.Errorf("the signer's URL %q: %v", signedURI, err)
		}
		rawQuery = u.RawQuery
	}
	if rawQuery != "" {
		out.Target += "?" + rawQuery
	}
	out.Headers = wireHeaders(m.Request.Headers, host, req.Header)
	if len(logged) == 1 {
		out.CanonicalRequest, out.StringToSign = parseDebugLog(logged[0])
	}
	var signedNames string
	if presign {
		q, _ := url.ParseQuery(rawQuery)
		out.Signature = q.Get("X-Amz-Signature")
		signedNames = q.Get("X-Amz-SignedHeaders")
	} else {
		auth := req.Header.Get("Authorization")
		if i := strings.LastIndex(auth, "Signature="); i >= 0 {
			out.Signature = auth[i+len("Signature="):]
		}
		if i := strings.Index(auth, "SignedHeaders="); i >= 0 {
			signedNames = strings.SplitN(auth[i+len("SignedHeaders="):], ",", 2)[0]
		}
	}
	if err := checkSignedHeaders(s.SignedHeaders, m.Request.Headers, signedNames, "aws-sdk-go-v2"); err != nil {
		return Signed{}, err
	}
	return out, nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }
