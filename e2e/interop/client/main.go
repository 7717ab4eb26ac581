// Command client calls an HTTPS endpoint over SPIFFE mTLS with go-spiffe, as the workload the SPIRE
// agent identifies it as, accepting only the server SPIFFE ID given with -expect.
//
// One request:  client -socket unix:///path -url https://host:port/api/x -expect spiffe://td/server
// A stream:     add -for 30s: a new connection per request, a summary line, exit 1 on any failure.
// JWT-SVIDs:    -jwt-audience aud prints this workload's JWT-SVID for aud (token=...) and exits; -bearer
// token sends a token (a gateway forwarding its caller's JWT-SVID, say).
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/spiffetls/tlsconfig"
	"github.com/spiffe/go-spiffe/v2/svid/jwtsvid"
	"github.com/spiffe/go-spiffe/v2/workloadapi"

	"github.com/spiffeboot/spiffe-spring-boot/e2e/interop/internal/workload"
)

// bearer is the token every request carries, if any.
var bearer string

func main() {
	socket := flag.String("socket", os.Getenv("SPIFFE_ENDPOINT_SOCKET"), "Workload API socket")
	url := flag.String("url", "", "URL to call")
	method := flag.String("method", "POST", "HTTP method")
	body := flag.String("body", "{}", "JSON body")
	expect := flag.String("expect", "", "SPIFFE ID the server must present")
	duration := flag.Duration("for", 0, "keep calling for this long (stream mode)")
	interval := flag.Duration("interval", 200*time.Millisecond, "pause between requests in stream mode")
	wantStatus := flag.Int("want-status", 200, "status counted as success in stream mode")
	jwtAudience := flag.String("jwt-audience", "", "print this workload's JWT-SVID for this audience and exit")
	flag.StringVar(&bearer, "bearer", "", "send this token in Authorization: Bearer")
	flag.Parse()

	if *jwtAudience != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		svid, err := workloadapi.FetchJWTSVID(ctx, jwtsvid.Params{Audience: *jwtAudience}, workloadapi.WithAddr(*socket))
		if err != nil {
			fmt.Printf("error=%q\n", "no JWT-SVID from the Workload API: "+err.Error())
			os.Exit(2)
		}
		fmt.Printf("token=%s subject=%s\n", svid.Marshal(), svid.ID)
		return
	}

	source := workload.X509Source(*socket)
	defer source.Close()
	serverID := spiffeid.RequireFromString(*expect)
	config := tlsconfig.MTLSClientConfig(source, source, tlsconfig.AuthorizeID(serverID))

	if *duration == 0 {
		status, text, _, err := call(config, *method, *url, *body)
		if err != nil {
			fmt.Printf("error=%q\n", err.Error())
			os.Exit(2)
		}
		fmt.Printf("status=%d body=%s\n", status, text)
		return
	}

	serials := map[string]bool{}
	var order []string
	requests, failures := 0, 0
	end := time.Now().Add(*duration)
	for time.Now().Before(end) {
		requests++
		status, text, serial, err := call(config, *method, *url, *body)
		switch {
		case err != nil:
			failures++
			fmt.Printf("request %d failed: %v\n", requests, err)
		case status != *wantStatus:
			failures++
			fmt.Printf("request %d: status %d %s\n", requests, status, text)
		}
		if serial != "" && !serials[serial] {
			serials[serial] = true
			order = append(order, serial)
			fmt.Printf("request %d: server presents serial %s\n", requests, serial)
		}
		time.Sleep(*interval)
	}
	fmt.Printf("requests=%d failures=%d serials=%d (%s)\n", requests, failures, len(serials), strings.Join(order, ","))
	if failures > 0 {
		os.Exit(1)
	}
}

// call makes one request on a new connection, so that each request is a new handshake.
func call(config *tls.Config, method, url, body string) (int, string, string, error) {
	transport := &http.Transport{TLSClientConfig: config, DisableKeepAlives: true}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	request, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, "", "", err
	}
	request.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		request.Header.Set("Authorization", "Bearer "+bearer)
	}
	response, err := client.Do(request)
	if err != nil {
		return 0, "", "", err
	}
	defer response.Body.Close()
	text, _ := io.ReadAll(response.Body)
	serial := ""
	if response.TLS != nil && len(response.TLS.PeerCertificates) > 0 {
		serial = response.TLS.PeerCertificates[0].SerialNumber.Text(16)
	}
	return response.StatusCode, strings.TrimSpace(string(text)), serial, nil
}
