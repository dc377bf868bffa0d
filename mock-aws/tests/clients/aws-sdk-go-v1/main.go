// The AWS SDK for Go v1 (Debian's golang-github-aws-aws-sdk-go-dev 1.44.133, built in GOPATH
// mode) with a Go S3 user's defaults against mock-aws: a session with an endpoint, region
// us-east-1, path-style addressing, static credentials and, over TLS, the certificate as its
// custom CA bundle; CreateBucket, PutObject, s3manager.Uploader of 20 MiB (multipart, its
// default 5 MiB parts; S3's multipart ETag rule checked with crypto/md5), HeadObject,
// s3manager.Downloader back (ranged GETs in parallel, compared by sha256), ListObjectsV2,
// ListObjects (v1), a presigned GET (Request.Presign) fetched with net/http, DeleteObject,
// DeleteBucket.
//
// Usage: aws-sdk-go-v1 ENDPOINT [CERT.pem]; prints `ok CHECK` per check.
package main

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/request"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/s3"
	"github.com/aws/aws-sdk-go/service/s3/s3manager"
)

const (
	bucket = "go-v1-bkt"
	key    = "dir/up.bin"
	small  = "dir/small.txt"
	// 20 MiB and a few bytes: five parts of 5 MiB, the last one short.
	size = 20*1024*1024 + 5
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func must(err error, what string) {
	if err != nil {
		fail("%s: %v", what, err)
	}
}

func ok(what string) { fmt.Println("ok " + what) }

func main() {
	if len(os.Args) < 2 {
		fail("usage: aws-sdk-go-v1 ENDPOINT [CERT.pem]")
	}
	endpoint := os.Args[1]
	// The SDK's own way to trust a private CA: session.Options.CustomCABundle (which wins over
	// $AWS_CA_BUNDLE); the presigned GET below uses the same http.Client.
	opts := session.Options{Config: aws.Config{
		Endpoint:         aws.String(endpoint),
		Region:           aws.String("us-east-1"),
		S3ForcePathStyle: aws.Bool(true),
		Credentials: credentials.NewStaticCredentials("AKIDEXAMPLE",
			"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""),
		HTTPClient: &http.Client{Timeout: 60 * time.Second},
		MaxRetries: aws.Int(0),
	}}
	if len(os.Args) > 2 {
		pem, err := os.ReadFile(os.Args[2])
		must(err, "read certificate")
		opts.CustomCABundle = bytes.NewReader(pem)
	}
	sess, err := session.NewSessionWithOptions(opts)
	must(err, "session.NewSession")
	svc := s3.New(sess)

	// Every GetObject's Range header, to see the Downloader's ranged GETs.
	var mu sync.Mutex
	var ranges []string
	svc.Handlers.Send.PushFront(func(r *request.Request) {
		if r.Operation.Name == "GetObject" {
			mu.Lock()
			ranges = append(ranges, r.HTTPRequest.Header.Get("Range"))
			mu.Unlock()
		}
	})

	_, err = svc.CreateBucket(&s3.CreateBucketInput{Bucket: aws.String(bucket)})
	must(err, "CreateBucket")
	ok("CreateBucket")

	// A single PUT's ETag is the MD5 of its body (S3's documented rule).
	body := []byte("hello from aws-sdk-go v1\n")
	put, err := svc.PutObject(&s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(small), Body: bytes.NewReader(body),
	})
	must(err, "PutObject")
	sum := md5.Sum(body)
	if want := `"` + hex.EncodeToString(sum[:]) + `"`; aws.StringValue(put.ETag) != want {
		fail("PutObject ETag %s, want %s", aws.StringValue(put.ETag), want)
	}
	ok("PutObject")

	tmp, err := os.MkdirTemp("", "aws-sdk-go-v1-")
	must(err, "temp dir")
	defer os.RemoveAll(tmp)
	data := make([]byte, size)
	_, err = rand.Read(data)
	must(err, "random data")
	src := filepath.Join(tmp, "up.bin")
	must(os.WriteFile(src, data, 0o600), "write up.bin")

	// S3's multipart ETag: the MD5 of the parts' binary MD5s, then `-` and the part count;
	// the Uploader's default part size is s3manager.DefaultUploadPartSize (5 MiB).
	part := int(s3manager.DefaultUploadPartSize)
	var md5s []byte
	parts := 0
	for i := 0; i < len(data); i += part {
		end := i + part
		if end > len(data) {
			end = len(data)
		}
		s := md5.Sum(data[i:end])
		md5s = append(md5s, s[:]...)
		parts++
	}
	whole := md5.Sum(md5s)
	wantETag := fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(whole[:]), parts)

	f, err := os.Open(src)
	must(err, "open up.bin")
	up, err := s3manager.NewUploaderWithClient(svc).Upload(&s3manager.UploadInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: f,
	})
	f.Close()
	must(err, "s3manager.Uploader")
	if up.UploadID == "" {
		fail("s3manager.Uploader: no UploadID (not a multipart upload)")
	}
	if aws.StringValue(up.ETag) != wantETag {
		fail("s3manager.Uploader ETag %s, want %s", aws.StringValue(up.ETag), wantETag)
	}
	ok(fmt.Sprintf("s3manager.Uploader 20 MiB (multipart, ETag -%d)", parts))

	head, err := svc.HeadObject(&s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	must(err, "HeadObject")
	if aws.Int64Value(head.ContentLength) != size || aws.StringValue(head.ETag) != wantETag {
		fail("HeadObject: length %d ETag %s, want %d %s", aws.Int64Value(head.ContentLength),
			aws.StringValue(head.ETag), size, wantETag)
	}
	ok("HeadObject")

	dst := filepath.Join(tmp, "down.bin")
	out, err := os.Create(dst)
	must(err, "create down.bin")
	n, err := s3manager.NewDownloaderWithClient(svc).Download(out, &s3.GetObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key),
	})
	out.Close()
	must(err, "s3manager.Downloader")
	got, err := os.ReadFile(dst)
	must(err, "read down.bin")
	if n != size || sha256.Sum256(got) != sha256.Sum256(data) {
		fail("s3manager.Downloader: %d bytes, not the %d uploaded", n, size)
	}
	if len(ranges) != parts {
		fail("s3manager.Downloader: %d GETs %q, want %d ranged GETs", len(ranges), ranges, parts)
	}
	for _, r := range ranges {
		if !strings.HasPrefix(r, "bytes=") {
			fail("s3manager.Downloader: a GET without a Range: %q", ranges)
		}
	}
	ok("s3manager.Downloader 20 MiB (ranged GETs)")

	v2, err := svc.ListObjectsV2(&s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("dir/")})
	must(err, "ListObjectsV2")
	if names := keys(v2.Contents); names != small+","+key || aws.Int64Value(v2.KeyCount) != 2 {
		fail("ListObjectsV2: %s (KeyCount %d)", names, aws.Int64Value(v2.KeyCount))
	}
	if aws.Int64Value(v2.Contents[1].Size) != size {
		fail("ListObjectsV2: size %d", aws.Int64Value(v2.Contents[1].Size))
	}
	ok("ListObjectsV2")

	v1, err := svc.ListObjects(&s3.ListObjectsInput{Bucket: aws.String(bucket), Delimiter: aws.String("/")})
	must(err, "ListObjects")
	if len(v1.Contents) != 0 || len(v1.CommonPrefixes) != 1 || aws.StringValue(v1.CommonPrefixes[0].Prefix) != "dir/" {
		fail("ListObjects with delimiter /: %v", v1)
	}
	ok("ListObjects (v1)")

	req, _ := svc.GetObjectRequest(&s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	url, err := req.Presign(15 * time.Minute)
	must(err, "Presign")
	if !strings.Contains(url, "X-Amz-Signature=") {
		fail("Presign: not a SigV4 query URL: %s", url)
	}
	resp, err := sess.Config.HTTPClient.Get(url)
	must(err, "presigned GET")
	pre, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	must(err, "presigned GET body")
	if resp.StatusCode != 200 || !bytes.Equal(pre, data) {
		fail("presigned GET: status %d, %d bytes: %.300s", resp.StatusCode, len(pre), pre)
	}
	ok("presigned GET (Presign)")

	for _, k := range []string{key, small} {
		_, err = svc.DeleteObject(&s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		must(err, "DeleteObject")
	}
	_, err = svc.DeleteBucket(&s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	must(err, "DeleteBucket")
	ok("DeleteObject, DeleteBucket")
}

func keys(objs []*s3.Object) string {
	var names []string
	for _, o := range objs {
		names = append(names, aws.StringValue(o.Key))
	}
	return strings.Join(names, ",")
}
