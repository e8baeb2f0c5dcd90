#!/bin/sh
# Starts the stack's RabbitMQ node in the foreground with an epmd of its own (infra/stack/components/rabbitmq.ts
# launches it with the whole environment: ports, paths, ERL_FLAGS="-start_epmd false").
#
# RabbitMQ 3.10 needs epmd, the Erlang port mapper, and an Erlang VM normally starts it as `epmd -daemon`: a
# daemon outside the stack's process group that would outlive `coord stack down`. Here no VM may start one
# (-start_epmd false); this script runs epmd in the foreground, in the component's process group, on
# 127.0.0.1:$ERL_EPMD_PORT, and it lives exactly as long as the broker:
#   - `stop`/`kill` signal the whole process group, epmd included;
#   - if the broker's VM dies on its own, a guard (the subshell below) notices — its end of a FIFO, whose
#     only writer is the VM, reads end-of-file — and stops epmd.
# The VM replaces this script (exec, all the way down to beam.smp), so the pid the stack records is the
# broker's own: it owns the ports, and waiting for it to exit waits for the ports to be free.
set -eu

guard=$1
rm -f "$guard"
mkfifo -m 600 "$guard"
(
  epmd -address 127.0.0.1 -port "$ERL_EPMD_PORT" &
  epmd_pid=$!
  read -r _ < "$guard" || true # end-of-file: the broker's VM, the only writer, is gone
  kill "$epmd_pid" 2> /dev/null || true
) &
exec 3> "$guard" # the write end, inherited by the VM (opening waits for the guard to open the read end)
rm -f "$guard"

tries=0
until epmd -port "$ERL_EPMD_PORT" -names > /dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 100 ]; then
    echo "epmd did not start on 127.0.0.1:$ERL_EPMD_PORT" >&2
    exit 1
  fi
  sleep 0.1
done

# RABBITMQ_ALLOW_INPUT makes rabbitmq-server exec the VM instead of staying in between as a signal proxy;
# -noinput (in RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS) still keeps the Erlang shell off.
exec rabbitmq-server
