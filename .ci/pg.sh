# Sourced by .ci/run (or by hand: `source .ci/pg.sh; pg_start`): a throw-away PostgreSQL
# cluster for the team-store tests. PostgreSQL refuses to run as root, so the cluster belongs
# to the system user `ambitci`; it listens on 127.0.0.1 at a free port with `trust`
# authentication, lives in a temporary folder and is stopped and removed at exit.
# Exports AMBIT_TEST_PG=postgres://ambitci@127.0.0.1:PORT/ambit_test.

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

pg_start() {
  if [ -z "$(pg_bin)" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  fi
  local bin user=ambitci port
  bin="$(pg_bin)"
  id -u "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
  AMBIT_PG_DIR="$(mktemp -d /tmp/ambit-pg.XXXXXX)"
  chown "$user" "$AMBIT_PG_DIR"
  for port in $(seq 54320 54420); do
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
  done
  as_pg() { (cd / && runuser -u "$user" -- "$@"); }
  as_pg "$bin/initdb" -D "$AMBIT_PG_DIR/data" -A trust -U "$user" -E UTF8 --no-sync >/dev/null
  # fsync off: a test cluster that a power cut may lose; a killed process still leaves
  # every commit whole, which is what the tests check.
  as_pg "$bin/pg_ctl" -D "$AMBIT_PG_DIR/data" -l "$AMBIT_PG_DIR/log" -w \
    -o "-p $port -k $AMBIT_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$user" ambit_test
  export AMBIT_TEST_PG="postgres://$user@127.0.0.1:$port/ambit_test"
  export AMBIT_PG_DIR
  trap pg_stop EXIT
  echo "PostgreSQL test cluster: $AMBIT_TEST_PG"
}

pg_stop() {
  [ -n "${AMBIT_PG_DIR:-}" ] || return 0
  (cd / && runuser -u ambitci -- "$(pg_bin)/pg_ctl" -D "$AMBIT_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1) || true
  rm -rf "$AMBIT_PG_DIR"
  AMBIT_PG_DIR=
}
