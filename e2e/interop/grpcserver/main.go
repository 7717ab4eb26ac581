// Command grpcserver is a go-spiffe gRPC server standing in for payment-service's gRPC API
// (payments.v1.Payments): server credentials from grpccredentials.MTLSServerCredentials, and only the one
// client SPIFFE ID given with -authorize may connect. Each reply names the caller's SPIFFE ID.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffegrpc/grpccredentials"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/spiffetls/tlsconfig"
	"github.com/spiffe/go-spiffe/v2/workloadapi"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	paymentsv1 "github.com/spiffeboot/spiffe-spring-boot/e2e/interop/payments/v1"
)

type payments struct{}

func (payments) Charge(ctx context.Context, request *paymentsv1.ChargeRequest) (*paymentsv1.PaymentReply, error) {
	return reply(ctx, "charged", request.GetOrderId())
}

func (payments) Refund(ctx context.Context, request *paymentsv1.RefundRequest) (*paymentsv1.PaymentReply, error) {
	return reply(ctx, "refunded", request.GetOrderId())
}

func reply(ctx context.Context, outcome, orderID string) (*paymentsv1.PaymentReply, error) {
	caller, ok := grpccredentials.PeerIDFromContext(ctx)
	if !ok {
		return nil, status.Error(codes.Unauthenticated, "no SPIFFE ID")
	}
	log.Printf("%s order=%s caller=%s", outcome, orderID, caller)
	return &paymentsv1.PaymentReply{Status: outcome, OrderId: orderID, Caller: caller.String()}, nil
}

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

	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	server := grpc.NewServer(grpc.Creds(grpccredentials.MTLSServerCredentials(source, source,
		tlsconfig.AuthorizeID(spiffeid.RequireFromString(*authorize)))))
	paymentsv1.RegisterPaymentsServer(server, payments{})
	fmt.Printf("listening on %s\n", listener.Addr())
	log.Fatal(server.Serve(listener))
}
