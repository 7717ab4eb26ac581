// Command server is a go-spiffe mTLS server standing in for payment-service: it answers
// POST /api/payments/charge for the one client SPIFFE ID given with -authorize. Like Go servers in
// general it issues TLS session tickets; it logs, per request, whether the connection's handshake was a
// full one or resumed a session. With -idle-timeout it closes connections idle that long, so that a
// pooling client's requests spaced further apart each come on a new connection.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/spiffetls/tlsconfig"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"

	"github.com/spiffeboot/spiffe-spring-boot/e2e/interop/internal/workload"
)

func main() {
	socket := flag.String("socket", os.Getenv("SPIFFE_ENDPOINT_SOCKET"), "Workload API socket")
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	authorize := flag.String("authorize", "", "the client SPIFFE ID allowed to connect")
	idleTimeout := flag.Duration("idle-timeout", 0, "close connections idle this long (0: Go's default)")
	flag.Parse()

	source := workload.X509Source(*socket)
	defer source.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("/api/payments/charge", func(w http.ResponseWriter, r *http.Request) {
		caller := "unknown"
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			if id, err := x509svid.IDFromCert(r.TLS.PeerCertificates[0]); err == nil {
				caller = id.String()
			}
		}
		handshake := "full"
		if r.TLS != nil && r.TLS.DidResume {
			handshake = "resumed"
		}
		log.Printf("request from %s caller=%s handshake=%s", r.RemoteAddr, caller, handshake)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "charged", "caller": caller, "server": "go-spiffe",
			"handshake": handshake})
	})
	server := &http.Server{
		Addr:      *addr,
		Handler:   mux,
		TLSConfig: tlsconfig.MTLSServerConfig(source, source, tlsconfig.AuthorizeID(spiffeid.RequireFromString(*authorize))),
		// Unlike disabling keep-alives, this lets HTTP/2 clients finish their request before the GOAWAY.
		IdleTimeout: *idleTimeout,
	}
	fmt.Printf("listening on %s\n", *addr)
	log.Fatal(server.ListenAndServeTLS("", ""))
}
