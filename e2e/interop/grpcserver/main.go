// Command grpcserver is a go-spiffe gRPC server standing in for payment-service's gRPC API
// (payments.v1.Payments): server credentials from grpccredentials.MTLSServerCredentials, and only the one
// client SPIFFE ID given with -authorize may connect. Each reply names the caller's SPIFFE ID; each call is
// logged with its connection and whether that connection's handshake resumed a TLS session (Go servers issue
// session tickets). With -idle-timeout it closes connections idle that long, so that a client's calls spaced
// further apart each come on a new connection.
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"reflect"

	"github.com/spiffe/go-spiffe/v2/spiffegrpc/grpccredentials"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/spiffetls/tlsconfig"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/spiffeboot/spiffe-spring-boot/e2e/interop/internal/workload"
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
	handshake, from := "unknown", "unknown"
	if p, ok := peer.FromContext(ctx); ok {
		from = p.Addr.String()
		if state, ok := tlsState(p.AuthInfo); ok {
			handshake = "full"
			if state.DidResume {
				handshake = "resumed"
			}
		}
	}
	// The same shape as the HTTP server's line, which e2e/interop/run.sh reads.
	log.Printf("request from %s caller=%s handshake=%s %s order=%s", from, caller, handshake, outcome, orderID)
	return &paymentsv1.PaymentReply{Status: outcome, OrderId: orderID, Caller: caller.String()}, nil
}

// tlsState digs the connection state out of the AuthInfo grpccredentials wraps around gRPC's TLSInfo.
func tlsState(info credentials.AuthInfo) (tls.ConnectionState, bool) {
	if tlsInfo, ok := info.(credentials.TLSInfo); ok {
		return tlsInfo.State, true
	}
	value := reflect.ValueOf(info)
	if value.Kind() == reflect.Struct {
		if inner := value.FieldByName("AuthInfo"); inner.IsValid() && inner.CanInterface() {
			if wrapped, ok := inner.Interface().(credentials.AuthInfo); ok {
				return tlsState(wrapped)
			}
		}
	}
	return tls.ConnectionState{}, false
}

func main() {
	socket := flag.String("socket", os.Getenv("SPIFFE_ENDPOINT_SOCKET"), "Workload API socket")
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	authorize := flag.String("authorize", "", "the client SPIFFE ID allowed to connect")
	idleTimeout := flag.Duration("idle-timeout", 0, "close connections idle this long (0: never)")
	flag.Parse()

	source := workload.X509Source(*socket)
	defer source.Close()

	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	options := []grpc.ServerOption{grpc.Creds(grpccredentials.MTLSServerCredentials(source, source,
		tlsconfig.AuthorizeID(spiffeid.RequireFromString(*authorize))))}
	if *idleTimeout > 0 {
		options = append(options, grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionIdle: *idleTimeout}))
	}
	server := grpc.NewServer(options...)
	paymentsv1.RegisterPaymentsServer(server, payments{})
	fmt.Printf("listening on %s\n", listener.Addr())
	log.Fatal(server.Serve(listener))
}
