#!/bin/bash
# Runs the bench for each client, one at a time, inside netns kev (broker must be running there).
cd /work/eval
for c in kafkajs-plain kafkajs-fixed platformatic confluent; do
  echo "== $c $(date +%T) load: $(cut -d' ' -f1-3 /proc/loadavg)"
  ip netns exec kev node --import tsx src/bench.ts "$c" 1,16,64 20 > "logs/bench-$c.out" 2> "logs/bench-$c.err"
  echo "rc=$?"; cat "logs/bench-$c.err" | tail -5
done
echo "== confluent linger.ms=0 $(date +%T)"
BENCH_TAG=linger0 CONFLUENT_LINGER_MS=0 ip netns exec kev node --import tsx src/bench.ts confluent 1,16,64 20 > logs/bench-confluent-linger0.out 2> logs/bench-confluent-linger0.err
echo "rc=$?"; tail -5 logs/bench-confluent-linger0.err
