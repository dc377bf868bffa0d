// The aws-sdk-go (v1) adapter: aws/signer/v4 of github.com/aws/aws-sdk-go, Debian's
// golang-github-aws-aws-sdk-go-dev. The signer takes the signing time as an argument
// (Sign/Presign's signTime), so no clock is read; it reveals its canonical string and string
// to sign through its debug log (Debug = LogDebugWithSigning), which is parsed here.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"
)

// The Debian package's version (debian/changelog of golang-github-aws-aws-sdk-go-dev).
const libraryVersion = "1.44.133"

const maxProtocol = 1

func hello() map[string]interface{} {
	return map[string]interface{}{
		"name": "aws-sdk-go-v1", "version": libraryVersion, "language": "go",
		"reveals": []string{"canonical_request", "string_to_sign", "signature"},
	}
}

func sign(m Message) (Signed, error) {
	s := m.Settings
	if s.Algorithm != "" && s.Algorithm != "sigv4" {
		return Signed{}, Unsupportedf("aws-sdk-go v1 signs SigV4 only, not %s", s.Algorithm)
	}
	if s.SessionToken == "after-signing" {
		return Signed{}, Unsupportedf("aws-sdk-go v1 always signs the session token (header or X-Amz-Security-Token parameter)")
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

	// What the signer does with the payload (v4.go, buildBodyDigest): S3, S3 Object Lambda
	// and Glacier always get an X-Amz-Content-Sha256 header; a presigned S3 URL always signs
	// UNSIGNED-PAYLOAD without it; UnsignedPayload adds the header; a hash given in an
	// X-Amz-Content-Sha256 header is used as it is (and signed). Where the signer adds and
	// signs the header although the case does not ask for it, the adapter keeps the signer's
	// default (AWS accepts a signed x-amz-content-sha256 that equals the payload hash).
	svc := m.Service
	s3Like := svc == "s3" || svc == "s3-object-lambda" || svc == "glacier"
	s3Presign := presign && (svc == "s3" || svc == "s3-object-lambda")
	// X-Amz-Content-Sha256 is a header-auth setting; presigned URLs need not carry it.
	wantHeader := s.ContentSha256Header && !presign
	unsignedPayload := false
	presetHash := ""
	switch {
	case s3Presign:
		if s.Payload.Mode != "unsigned" {
			return Signed{}, Unsupportedf("aws-sdk-go v1 presigns %s with UNSIGNED-PAYLOAD, always", svc)
		}
	case s.Payload.Mode == "hash":
		if wantHeader && !s3Like {
			// As an SDK caller does: the hash in the header is the one the signer uses.
			sum := sha256.Sum256(body)
			presetHash = hex.EncodeToString(sum[:])
		}
	case s.Payload.Mode == "unsigned":
		unsignedPayload = true
	case s.Payload.Mode == "precomputed":
		// The signer takes a given hash only from this header (which it signs).
		presetHash = s.Payload.Value
	default:
		return Signed{}, Unsupportedf("payload mode %q", s.Payload.Mode)
	}

	req, host, err := buildRequest(m.Request)
	if err != nil {
		return Signed{}, err
	}
	if presetHash != "" {
		req.Header.Set("X-Amz-Content-Sha256", presetHash)
	}

	var logged []string
	token := ""
	if m.Credentials.SessionToken != nil {
		token = *m.Credentials.SessionToken
	}
	signer := v4.NewSigner(credentials.NewStaticCredentials(m.Credentials.AccessKeyID, m.Credentials.SecretAccessKey, token),
		func(v *v4.Signer) {
			v.DisableURIPathEscaping = s.URIEncoding == "single"
			// Keep the request's X-Amz-* headers as headers when presigning (the default
			// moves some into the query): the harness's request is signed as given.
			v.DisableHeaderHoisting = true
			v.UnsignedPayload = unsignedPayload
			v.Debug = aws.LogDebugWithSigning
			v.Logger = aws.LoggerFunc(func(args ...interface{}) { logged = append(logged, fmt.Sprint(args...)) })
		})
	var bodyReader *bytes.Reader
	if len(body) > 0 {
		bodyReader = bytes.NewReader(body)
	}
	if presign {
		if s.ExpiresIn == nil {
			return Signed{}, fmt.Errorf("query signing without expires_in")
		}
		if bodyReader != nil {
			_, err = signer.Presign(req, bodyReader, svc, m.Region, time.Duration(*s.ExpiresIn)*time.Second, at)
		} else {
			_, err = signer.Presign(req, nil, svc, m.Region, time.Duration(*s.ExpiresIn)*time.Second, at)
		}
	} else if bodyReader != nil {
		_, err = signer.Sign(req, bodyReader, svc, m.Region, at)
	} else {
		_, err = signer.Sign(req, nil, svc, m.Region, at)
	}
	if err != nil {
		return Signed{}, err
	}

	out := Signed{Method: req.Method, Target: pathOf(m.Request.Target)}
	if req.URL.RawQuery != "" {
		out.Target += "?" + req.URL.RawQuery
	}
	out.Headers = wireHeaders(m.Request.Headers, host, req.Header)
	if len(logged) == 1 {
		out.CanonicalRequest, out.StringToSign = parseDebugLog(logged[0])
	}
	var signedNames string
	if presign {
		q := req.URL.Query()
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
	if err := checkSignedHeaders(s.SignedHeaders, m.Request.Headers, signedNames, "aws-sdk-go v1"); err != nil {
		return Signed{}, err
	}
	return out, nil
}
