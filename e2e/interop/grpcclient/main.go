// Command grpcclient is a go-spiffe gRPC client: it calls payments.v1.Payments/Charge or Refund once with
// grpccredentials.MTLSClientCredentials, accepting only the server SPIFFE ID given with -expect, and prints
// code=<gRPC status code> plus the reply's caller and status, or the error.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffegrpc/grpccredentials"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/spiffetls/tlsconfig"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"

	"github.com/spiffeboot/spiffe-spring-boot/e2e/interop/internal/workload"
	paymentsv1 "github.com/spiffeboot/spiffe-spring-boot/e2e/interop/payments/v1"
)

func main() {
	socket := flag.String("socket", os.Getenv("SPIFFE_ENDPOINT_SOCKET"), "Workload API socket")
	target := flag.String("target", "", "host:port of the gRPC server")
	expect := flag.String("expect", "", "the server SPIFFE ID to accept")
	method := flag.String("method", "charge", "charge or refund")
	order := flag.String("order", "g-1", "order ID")
	flag.Parse()

	source := workload.X509Source(*socket)
	defer source.Close()

	conn, err := grpc.NewClient(*target, grpc.WithTransportCredentials(grpccredentials.MTLSClientCredentials(source, source,
		tlsconfig.AuthorizeID(spiffeid.RequireFromString(*expect)))))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()

	callCtx, callCancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer callCancel()
	reply := new(paymentsv1.PaymentReply)
	switch *method {
	case "charge":
		err = conn.Invoke(callCtx, paymentsv1.ChargeMethod, &paymentsv1.ChargeRequest{OrderId: *order, Amount: 42}, reply)
	case "refund":
		err = conn.Invoke(callCtx, paymentsv1.RefundMethod, &paymentsv1.RefundRequest{OrderId: *order}, reply)
	default:
		log.Fatalf("unknown method %q", *method)
	}
	if err != nil {
		fmt.Printf("code=%s error=%v\n", status.Code(err), err)
		return
	}
	fmt.Printf("code=OK status=%s caller=%s\n", reply.GetStatus(), reply.GetCaller())
}
