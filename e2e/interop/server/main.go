// Command server is a go-spiffe mTLS server standing in for payment-service: it answers
// POST /api/payments/charge for the one client SPIFFE ID given with -authorize.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/spiffetls/tlsconfig"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
	"github.com/spiffe/go-spiffe/v2/workloadapi"
)

func main() {
	socket := flag.String("socket", os.Getenv("SPIFFE_ENDPOINT_SOCKET"), "Workload API socket")
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	authorize := flag.String("authorize", "", "the client SPIFFE ID allowed to connect")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	source, err := workloadapi.NewX509Source(ctx, workloadapi.WithClientOptions(workloadapi.WithAddr(*socket)))
	if err != nil {
		log.Fatalf("no SVID from the Workload API: %v", err)
	}
	defer source.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("/api/payments/charge", func(w http.ResponseWriter, r *http.Request) {
		caller := "unknown"
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			if id, err := x509svid.IDFromCert(r.TLS.PeerCertificates[0]); err == nil {
				caller = id.String()
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "charged", "caller": caller, "server": "go-spiffe"})
	})
	server := &http.Server{
		Addr:      *addr,
		Handler:   mux,
		TLSConfig: tlsconfig.MTLSServerConfig(source, source, tlsconfig.AuthorizeID(spiffeid.RequireFromString(*authorize))),
	}
	fmt.Printf("listening on %s\n", *addr)
	log.Fatal(server.ListenAndServeTLS("", ""))
}
