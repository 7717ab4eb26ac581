// Package workload gives the interop programs their identity: the X.509 source every one of them opens the
// same way.
package workload

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spiffe/go-spiffe/v2/workloadapi"
)

// X509Source opens this workload's X.509 source on the Workload API at socket, waiting up to a minute for the
// first SVID. Without one, the program ends (exit status 2) saying why, in the error= form run.sh reads.
func X509Source(socket string) *workloadapi.X509Source {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	source, err := workloadapi.NewX509Source(ctx, workloadapi.WithClientOptions(workloadapi.WithAddr(socket)))
	if err != nil {
		fmt.Printf("error=%q\n", "no SVID from the Workload API: "+err.Error())
		os.Exit(2)
	}
	return source
}
