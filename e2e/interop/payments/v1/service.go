package paymentsv1

// The gRPC service glue for payments.v1.Payments, written by hand (protoc-gen-go-grpc is not served by the
// module proxy here): what generated code would contain, the method names and a service description. The
// messages in payments.pb.go are generated from sample-payments-api's payments.proto:
//
//	protoc -I sample-payments-api/src/main/proto --go_out=e2e/interop --go_opt=paths=source_relative \
//	    payments/v1/payments.proto

import (
	"context"

	"google.golang.org/grpc"
)

const (
	ChargeMethod = "/payments.v1.Payments/Charge"
	RefundMethod = "/payments.v1.Payments/Refund"
)

// PaymentsServer is the server side of payments.v1.Payments.
type PaymentsServer interface {
	Charge(context.Context, *ChargeRequest) (*PaymentReply, error)
	Refund(context.Context, *RefundRequest) (*PaymentReply, error)
}

// RegisterPaymentsServer registers an implementation of payments.v1.Payments with a gRPC server.
func RegisterPaymentsServer(s grpc.ServiceRegistrar, srv PaymentsServer) {
	s.RegisterService(&serviceDesc, srv)
}

var serviceDesc = grpc.ServiceDesc{
	ServiceName: "payments.v1.Payments",
	HandlerType: (*PaymentsServer)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "Charge", Handler: func(srv any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
			in := new(ChargeRequest)
			if err := dec(in); err != nil {
				return nil, err
			}
			return srv.(PaymentsServer).Charge(ctx, in)
		}},
		{MethodName: "Refund", Handler: func(srv any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
			in := new(RefundRequest)
			if err := dec(in); err != nil {
				return nil, err
			}
			return srv.(PaymentsServer).Refund(ctx, in)
		}},
	},
	Metadata: "payments/v1/payments.proto",
}
