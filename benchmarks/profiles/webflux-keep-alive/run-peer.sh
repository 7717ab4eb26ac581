#!/usr/bin/env bash
# usage: run-peer.sh <name> <jar> [args...]   (env: EXTRA_ENV set by caller)
set -euo pipefail
name=$1; jar=$2; shift 2
out=/tmp/prof/out; mkdir -p $out
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("",0));print(s.getsockname()[1])')
mport=$(python3 -c 'import socket;s=socket.socket();s.bind(("",0));print(s.getsockname()[1])')
JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java
SERVER_PORT=$port MANAGEMENT_PORT=$mport GRPC_PORT=0 $JAVA -Xms512m -Xmx512m -XX:+UseG1GC \
  -XX:FlightRecorderOptions=stackdepth=512 \
  -XX:StartFlightRecording=settings=profile,filename=$out/$name-full.jfr \
  -jar $jar --server.tomcat.max-keep-alive-requests=-1 "$@" > $out/$name.log 2>&1 &
pid=$!; trap "kill $pid 2>/dev/null || true" EXIT; echo "$name pid=$pid port=$port"
for i in $(seq 1 240); do curl -sf http://127.0.0.1:$mport/actuator/health >/dev/null && break; sleep 0.5; done
curl -s http://127.0.0.1:$mport/actuator/health; echo
AB="ab -q -d -r -s 30 -c 16 -k -E /tmp/prof/work/order-service-ab.pem -p /tmp/prof/work/charge.json -T application/json"
URL=https://127.0.0.1:$port/api/payments/charge
cpu() { awk '{print $14+$15}' /proc/$pid/stat; }
echo "warm-up ${WARM:-20}s"; $AB -t ${WARM:-20} -n 1000000 $URL > $out/$name-ab-warm.txt 2>&1
grep -E "Requests per second|Failed|Non-2xx|Keep-Alive" $out/$name-ab-warm.txt || true
jcmd $pid JFR.start name=win settings=/tmp/prof/prof2ms.jfc filename=$out/$name.jfr > /dev/null
c0=$(cpu); t0=$(date +%s.%N)
$AB -t 30 -n 1500000 $URL > $out/$name-ab-rec.txt 2>&1
c1=$(cpu); t1=$(date +%s.%N)
jcmd $pid JFR.stop name=win > /dev/null
grep -E "Complete requests|Requests per second|Failed|Non-2xx|Keep-Alive|SSL/TLS" $out/$name-ab-rec.txt || true
reqs=$(awk '/Complete requests/{print $3}' $out/$name-ab-rec.txt)
python3 -c "import os;hz=os.sysconf('SC_CLK_TCK');c=($c1-$c0)/hz;print('server CPU s=%.2f, wall=%.2f, us/request=%.1f, cores busy=%.2f'%(c,$t1-$t0,c*1e6/$reqs,c/($t1-$t0)))"
cat /proc/loadavg
kill $pid; wait $pid || true
