# JupyterHub on the user node: every student logs in (PAM: the node's accounts, with the passwords the deploy
# applied) and gets a notebook server of their own, running as their own uid in their own home, so that their
# cfiddle run() becomes a Slurm job under their uid. Settings come from the environment (README: "The images").
#
# Spawner: LocalProcessSpawner with the hub as root. The hub is the only root process students can reach, and
# only over HTTP; each server is started with the student's uid, gid and HOME and an environment holding
# nothing but its own hub token. SudoSpawner (an unprivileged hub) is not packaged by Debian.
#
# One origin per student: the hub is at http://HUB_HOST:PORT/, each student's server at
# http://NAME.HUB_HOST:PORT/user/NAME/ (JupyterHub's subdomain_host), so a page a student serves from their own
# server runs in an origin of its own: the browser gives it neither the hub's cookies nor another server's, and
# cannot read their answers. Cookie-authenticated requests that change anything need the hub's XSRF token (on by
# default in JupyterHub 5; nothing here turns it off).
import os
import pwd
import subprocess

from jupyterhub.utils import subdomain_hook_idna

from cfiddle_cluster.accounts import read_accounts

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

STATE_DIR = os.environ.get("JUPYTERHUB_STATE_DIR", "/var/lib/jupyterhub")
PORT = int(os.environ.get("JUPYTER_PORT", "8888"))
# The hub's public host name (cfiddle.hubHost): browsers must resolve it and every NAME.HUB_HOST to this node
# (wildcard DNS; any *.localhost is loopback in browsers, which is why "localhost" works on one machine).
HUB_HOST = os.environ["CFIDDLE_HUB_HOST"]
# The port browsers use (the stack publishes the hub's port on the head; a test maps it): part of every origin.
PUBLIC_PORT = int(os.environ.get("CFIDDLE_HUB_PUBLIC_PORT", PORT))
IDLE_TIMEOUT = int(os.environ["CFIDDLE_IDLE_TIMEOUT"])  # seconds
# Processes (and threads) one student may have at once: a fork bomb stops there instead of taking the node.
PROCESS_LIMIT = int(os.environ["CFIDDLE_STUDENT_PROCESS_LIMIT"])
ADMINS = {name.strip() for name in os.environ.get("CFIDDLE_ADMINS", "").split(",") if name.strip()}
USERS_FILE = os.environ.get("CFIDDLE_USERS_FILE", "/etc/cfiddle/users")
EXAMPLES = "/usr/local/share/cfiddle-cluster/notebooks"

c.JupyterHub.bind_url = f"http://:{PORT}/"
c.JupyterHub.subdomain_host = f"http://{HUB_HOST}:{PUBLIC_PORT}"


def subdomain(name, domain, kind):
    """Students get NAME.HUB_HOST (JupyterHub's own escaping for names that are not valid host labels); the
    dashboard, the cluster's own code serving no student content, stays on the hub's origin, where its OAuth
    login is a same-origin redirect."""
    if kind == "service":
        return domain
    return subdomain_hook_idna(name, domain, kind)


c.JupyterHub.subdomain_hook = subdomain
# In a volume: sessions and the server list survive a redeploy.
c.JupyterHub.db_url = f"sqlite:///{STATE_DIR}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{STATE_DIR}/jupyterhub_cookie_secret"
# Not in the volume: a new container must never take a stale pid for its proxy.
c.ConfigurableHTTPProxy.pid_file = "/run/jupyterhub-proxy.pid"

# Only the cluster's accounts may log in (never root or a system account), checked against the node's shadow.
c.Authenticator.allowed_users = {account.name for account in read_accounts(USERS_FILE)}
unknown_admins = ADMINS - c.Authenticator.allowed_users
if unknown_admins:
    raise SystemExit(f"CFIDDLE_ADMINS names {', '.join(sorted(unknown_admins))}, not in {USERS_FILE}")
# Admins get the admin page and may list users and start or stop their servers, but not open a student's
# server or make tokens (JupyterHub's own admin role can do both), so they are not made hub admins.
c.JupyterHub.load_roles = [{
    "name": "cfiddle-admin",
    "description": "course admins: the admin page, start and stop servers",
    "scopes": ["admin-ui", "list:users", "read:users", "admin:servers"],
    "users": sorted(ADMINS),
}]
# The cluster dashboard, when the stack has one: the hub's proxy forwards /services/dashboard/ to it, and the hub
# is its OAuth provider (students log in there with their cluster accounts). Its client secret is a swarm secret
# shared with the dashboard; every account may use it (what each sees is the dashboard's business).
DASHBOARD_URL = os.environ.get("CFIDDLE_DASHBOARD_URL", "")
DASHBOARD_SECRET_FILE = os.environ.get("CFIDDLE_DASHBOARD_SECRET_FILE", "/run/secrets/dashboard_oauth")
if DASHBOARD_URL:
    try:
        with open(DASHBOARD_SECRET_FILE) as secret:
            dashboard_token = secret.read().strip()
    except OSError:
        raise SystemExit(f"CFIDDLE_DASHBOARD_URL is set but there is no dashboard secret at {DASHBOARD_SECRET_FILE}")
    c.JupyterHub.services = [{
        "name": "dashboard",
        "url": DASHBOARD_URL,
        "api_token": dashboard_token,
        "oauth_client_id": "service-dashboard",
        # The path the dashboard sends (it lives on the hub's origin, see subdomain above).
        "oauth_redirect_uri": "/services/dashboard/oauth_callback",
        "oauth_no_confirm": True,
        "display": True,
    }]
    c.JupyterHub.load_roles.append({
        "name": "cfiddle-dashboard-viewer",
        "description": "every account may log in to the cluster dashboard",
        "scopes": ["access:services!service=dashboard"],
        "users": sorted(c.Authenticator.allowed_users),
    })

# No PAM session: a container has no login records to keep.
c.PAMAuthenticator.open_sessions = False

# The server starts as the student; prlimit lowers its limits, which everything it starts inherits.
c.Spawner.cmd = ["prlimit", f"--nproc={PROCESS_LIMIT}", "--core=0", "--", "jupyterhub-singleuser"]
# LocalProcessSpawner that puts each server into its student's cgroup (memory, CPU, processes) and under their
# disk quota: cfiddle_cluster/hub_spawner.py.
c.JupyterHub.spawner_class = "cfiddle_cluster.hub_spawner.StudentLimitsSpawner"
c.Spawner.default_url = "/lab"
# A student's ~/.jupyter (and any config path their environment names) is ignored: what the server loads, how
# it authenticates and what it serves is this file's business only.
c.Spawner.disable_user_config = True
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60
# Idle servers stop themselves (jupyter_server's own timers; no culler service to run): kernels idle for
# IDLE_TIMEOUT are culled, and a server with no kernel, no terminal and no request for IDLE_TIMEOUT shuts down
# (checked every minute). The hub notices within poll_interval.
c.Spawner.args = [
    f"--ServerApp.shutdown_no_activity_timeout={IDLE_TIMEOUT}",
    f"--MappingKernelManager.cull_idle_timeout={IDLE_TIMEOUT}",
    f"--MappingKernelManager.cull_interval={max(1, min(IDLE_TIMEOUT, 300))}",
]
c.Spawner.poll_interval = 10


def copy_examples(spawner):
    """The example notebooks, into a student's home when they have none (first login). Copied as the student,
    so that nothing they placed in their home can redirect a write by root."""
    home = pwd.getpwnam(spawner.user.name).pw_dir
    target = os.path.join(home, "examples")
    if not os.path.lexists(target):
        subprocess.run(["runuser", "-u", spawner.user.name, "--", "cp", "-r", "--no-target-directory", EXAMPLES, target],
                       check=True)


c.Spawner.pre_spawn_hook = copy_examples
