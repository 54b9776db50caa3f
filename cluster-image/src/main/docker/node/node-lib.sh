# Shell functions shared by the entrypoints of every cfiddle-cluster node (cluster image and user image).
# Sourced, not run.

# The settings' defaults, for what the environment does not set (the stack always sets them): written by the
# build from the root pom's cfiddle.default.* properties, the one source the deploy core reads too.
while IFS='=' read -r name value; do
  if [[ $name =~ ^[A-Z_]+$ ]] && [ -z "${!name+set}" ]; then export "$name=$value"; fi
done </usr/local/lib/cfiddle-cluster/cluster-defaults.env

: "${SLURM_CONTROLLER:=slurmctld}"
: "${SLURM_DBD_HOST:=slurmdbd}"
: "${SLURM_DB_HOST:=db}"
: "${SLURM_PARTITION:=cfiddle}"
: "${SLURM_MAX_NODES:=64}"
: "${CFIDDLE_ADMINS:=}"             # comma-separated account names whose jobs are not limited to the launcher
: "${CFIDDLE_USERS_FILE:=/etc/cfiddle/users}"
: "${CFIDDLE_START_DEADLINE:=120}"  # seconds to wait for a dependency before giving up
export SLURM_CONTROLLER SLURM_DBD_HOST SLURM_DB_HOST SLURM_PARTITION SLURM_DEFAULT_TIME SLURM_MAX_TIME SLURM_MAX_NODES \
  SLURM_USER_RUNNING_LIMIT SLURM_USER_SUBMIT_LIMIT

# The healthcheck (node/healthcheck) reads the container's role here.
record_role() { mkdir -p /run/cfiddle && echo "${ROLE:-}" >/run/cfiddle/role; }

log() { echo "cfiddle-node[${ROLE:-?}]: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# wait_for DESCRIPTION COMMAND...: runs COMMAND until it succeeds, or dies after CFIDDLE_START_DEADLINE seconds.
wait_for() {
  local what=$1; shift
  local deadline=$((SECONDS + CFIDDLE_START_DEADLINE))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      die "gave up after ${CFIDDLE_START_DEADLINE}s waiting for $what (set CFIDDLE_START_DEADLINE to wait longer)"
    fi
    sleep 0.5
  done
  log "$what: ready"
}

tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# A secret from a file (swarm secrets live in /run/secrets), or from the environment for tests and trials.
read_secret() {
  local name=$1 var=$2
  if [ -n "${!var:-}" ]; then
    printf '%s' "${!var}"
  elif [ -r "/run/secrets/$name" ]; then
    tr -d '\n' <"/run/secrets/$name"
  else
    die "no $name: mount it at /run/secrets/$name (or set $var)"
  fi
}

render() { # render TEMPLATE DEST MODE OWNER: substitutes only ${UPPER_CASE} variables
  local vars
  vars=$(grep -o '\${[A-Z_]*}' "$1" | sort -u | tr '\n' ' ')
  envsubst "$vars" <"$1" >"$2"
  chmod "$3" "$2"
  chown "$4" "$2"
}

render_slurm_conf() {
  render /etc/slurm/slurm.conf.template /etc/slurm/slurm.conf 0644 root:root
}

# The munge key: per cluster, mounted at run time (swarm secret at /run/secrets/munge.key, or a file at
# /etc/munge/munge.key); munged insists it is owned by munge and private, so a copy is made when needed.
start_munge() {
  local key=/etc/munge/munge.key
  if [ -r /run/secrets/munge.key ]; then
    install -o munge -g munge -m 0400 /run/secrets/munge.key "$key"
  elif [ ! -e "$key" ]; then
    die "no munge key mounted at /run/secrets/munge.key or $key: every node of a cluster needs the same key (create one with: dd if=/dev/urandom bs=1 count=1024 >munge.key)"
  fi
  mkdir -p /run/munge && chown munge:munge /run/munge && chmod 0755 /run/munge
  runuser -u munge -- /usr/sbin/munged --force || die "munged did not start"
  wait_for "munge" sh -c 'munge -n | unmunge'
}

# A node whose munge key is not the controller's can do nothing: say so once, clearly, and stop. The controller
# then drops the node's requests unanswered ("Zero Bytes were transmitted or received") though its port is open.
check_munge_key_matches_controller() {
  local attempt answer
  for attempt in 1 2 3 4 5; do
    answer=$(sinfo --noheader --format=%P 2>&1) && return 0
    [[ $answer == *"Zero Bytes were transmitted or received"* ]] || return 0
    sleep 1
  done
  die "$SLURM_CONTROLLER accepts connections but refuses this node's credentials: this node's munge key is not the cluster's (every node needs the same key, the stack's munge_key secret)"
}

# The accounts in CFIDDLE_USERS_FILE, one "name uid gid" line each; dies naming the first bad line.
list_users() {
  [ -r "$CFIDDLE_USERS_FILE" ] || die "no user list at $CFIDDLE_USERS_FILE"
  local line name uid gid rest n=0
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line=${line%%#*}
    line=${line//[[:space:]]/}
    [ -z "$line" ] && continue
    IFS=: read -r name uid gid rest <<<"$line"
    if ! [[ $name =~ ^[a-z_][a-z0-9_-]{0,31}$ && $uid =~ ^[0-9]+$ && $gid =~ ^[0-9]+$ && -z $rest ]] || ((uid < 1000 || gid < 1000)); then
      die "$CFIDDLE_USERS_FILE line $n: '$line' is not name:uid:gid with a lower-case name and ids of at least 1000"
    fi
    echo "$name $uid $gid"
  done <"$CFIDDLE_USERS_FILE"
}

# Creates the listed accounts, identically on every node.
sync_users() {
  local users name uid gid
  users=$(list_users) || exit 1
  while read -r name uid gid; do
    [ -z "$name" ] && continue
    if getent passwd "$name" >/dev/null; then
      [ "$(id -u "$name")" = "$uid" ] || die "$CFIDDLE_USERS_FILE: user $name exists with uid $(id -u "$name"), not $uid"
      continue
    fi
    getent passwd "$uid" >/dev/null && die "$CFIDDLE_USERS_FILE: uid $uid of $name already belongs to $(getent passwd "$uid" | cut -d: -f1)"
    getent group "$gid" >/dev/null || groupadd --gid "$gid" "$name"
    useradd --uid "$uid" --gid "$gid" --no-create-home --home-dir "/home/$name" --shell /bin/bash "$name"
  done <<<"$users"
}

# The uids of the CFIDDLE_ADMINS accounts, comma-separated (after sync_users); dies naming an unknown one.
admin_uids() {
  local name uid uids=()
  for name in ${CFIDDLE_ADMINS//,/ }; do
    uid=$(id -u "$name" 2>/dev/null) || die "CFIDDLE_ADMINS names '$name', who is not in $CFIDDLE_USERS_FILE"
    uids+=("$uid")
  done
  (IFS=,; echo "${uids[*]}")
}

# Every account may submit, under the partition's QOS limits (enforced by slurmctld through accounting).
setup_accounting() {
  local cluster names
  cluster=$(sed -n 's/^ClusterName=//p' /etc/slurm/slurm.conf)
  names=$(list_users | awk '{print $1}' | paste -sd,) || exit 1
  # "add" of something that exists fails and changes nothing; the check at the end says whether all is in place.
  sacctmgr -i -Q add cluster "$cluster" >/dev/null 2>&1 || true
  sacctmgr -i -Q add account cfiddle description="cfiddle students" organization=cfiddle >/dev/null 2>&1 || true
  sacctmgr -i -Q add qos "$SLURM_PARTITION" >/dev/null 2>&1 || true
  sacctmgr -i -Q modify qos "$SLURM_PARTITION" set MaxJobsPerUser="$SLURM_USER_RUNNING_LIMIT" \
    MaxSubmitJobsPerUser="$SLURM_USER_SUBMIT_LIMIT" >/dev/null 2>&1 || true
  [ -z "$names" ] || sacctmgr -i -Q add user "$names" account=cfiddle >/dev/null 2>&1 || true
  sacctmgr -n -P show qos "$SLURM_PARTITION" format=MaxJobsPU,MaxSubmitPU | grep -qx "$SLURM_USER_RUNNING_LIMIT|$SLURM_USER_SUBMIT_LIMIT" \
    || die "could not set the per-user limits in the accounting database (sacctmgr, slurmdbd at $SLURM_DBD_HOST)"
  log "accounting: ${names//,/ } in account cfiddle; per user $SLURM_USER_RUNNING_LIMIT running, $SLURM_USER_SUBMIT_LIMIT submitted"
}
