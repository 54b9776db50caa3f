package io.github.cfiddlecluster.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.github.cfiddlecluster.dashboard.auth.HubOAuth;
import io.github.cfiddlecluster.dashboard.auth.Sessions;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's HTTP side (Javalin): the pages (workers, queue, history: one page shell whose script fetches the
 * JSON and redraws it every few seconds), the JSON endpoints, the OAuth callback and the static assets (Chart.js
 * from its WebJar: nothing from a CDN). Everything but the health URL and the static assets needs a login: a
 * session cookie from the hub's OAuth, or a hub token in an {@code Authorization: token ...} header (scripts).
 */
public final class DashboardServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    static final String SESSION_COOKIE = "cfiddle-dashboard-session";
    static final String STATE_COOKIE = "cfiddle-dashboard-oauth-state";
    private static final Set<String> PAGES = Set.of("", "queue", "history");

    private final DashboardSettings settings;
    private final ClusterMonitor monitor;
    private final HubOAuth hub;
    private final Sessions sessions;
    private final Clock clock;
    private final String page;
    private Javalin app;

    public DashboardServer(DashboardSettings settings, ClusterMonitor monitor, HubOAuth hub, Sessions sessions, Clock clock) {
        this.settings = settings;
        this.monitor = monitor;
        this.hub = hub;
        this.sessions = sessions;
        this.clock = clock;
        java.util.Properties build = new java.util.Properties();
        try (InputStream in = DashboardServer.class.getResourceAsStream("dashboard.properties")) {
            build.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing dashboard.properties (made by the build)", e);
        }
        this.page = resource("web/index.html").replace("{{CHARTJS_VERSION}}", build.getProperty("chartjs.version"));
    }

    public static ObjectMapper jsonMapper() {
        return new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
    }

    public DashboardServer start() {
        String p = settings.prefix();
        app = Javalin.create(config -> {
            config.jsonMapper(new JavalinJackson(jsonMapper(), false));
            config.startup.showJavalinBanner = false;
            config.staticFiles.add(files -> {
                files.hostedPath = p + "static";
                files.directory = "/io/github/cfiddlecluster/dashboard/web/static";
                files.location = Location.CLASSPATH;
            });
            config.staticFiles.add(files -> {
                files.hostedPath = p + "webjars";
                files.directory = "/META-INF/resources/webjars";
                files.location = Location.CLASSPATH;
            });
            config.routes.get("/health", ctx -> ctx.result("ok"));
            config.routes.get(p + "health", ctx -> ctx.result("ok"));
            for (String name : PAGES) {
                config.routes.get(p + name, this::page);
            }
            config.routes.get(p + "oauth_callback", this::oauthCallback);
            // A POST from this origin only: a link or a page elsewhere (another student's server) cannot log anyone out.
            config.routes.post(p + "logout", this::logout);
            config.routes.get(p + "logout", ctx -> ctx.status(HttpStatus.METHOD_NOT_ALLOWED)
                    .result("Log out with the page's Log out button (a POST to " + p + "logout)."));
            config.routes.get(p + "api/overview", ctx -> json(ctx, o -> o));
            config.routes.get(p + "api/workers", ctx -> json(ctx, o -> Map.of("slurm", o.slurm(), "workers", o.workers())));
            config.routes.get(p + "api/queue", ctx -> json(ctx, o -> Map.of("slurm", o.slurm(), "yours", o.yours(), "queue", o.queue())));
            config.routes.get(p + "api/history", ctx -> json(ctx, o -> Map.of("slurm", o.slurm(), "history", o.history())));
            config.routes.get("/", ctx -> ctx.redirect(p));
            // The hub is where logins are checked: when it does not answer, say so (the page retries by itself).
            config.routes.exception(IOException.class, (e, ctx) -> {
                LOG.warn("the hub did not answer: {}", e.toString());
                ctx.status(HttpStatus.SERVICE_UNAVAILABLE).json(Map.of("error",
                        "the hub (" + settings.hubApi() + ") did not answer the login check: " + e.getMessage()));
            });
        }).start(settings.port());
        LOG.info("dashboard on port {} under {}", settings.port(), p);
        return this;
    }

    public int port() {
        return app.port();
    }

    private void page(Context ctx) throws IOException, InterruptedException {
        Optional<Viewer> viewer = viewer(ctx);
        if (viewer.isEmpty()) {
            String state = Sessions.randomId();
            ctx.cookie(cookie(STATE_COOKIE, state + "|" + ctx.path(), 600));
            ctx.redirect(hub.authorizePath(state));
            return;
        }
        noStore(ctx);
        ctx.html(page.replace("{{PREFIX}}", settings.prefix()));
    }

    private void oauthCallback(Context ctx) throws IOException, InterruptedException {
        String expected = ctx.cookie(STATE_COOKIE);
        String state = ctx.queryParam("state");
        String code = ctx.queryParam("code");
        ctx.removeCookie(STATE_COOKIE, settings.prefix());
        if (expected == null || state == null || code == null || !expected.startsWith(state + "|")) {
            ctx.status(HttpStatus.BAD_REQUEST).result("This login link is stale or was not started here: open "
                    + settings.prefix() + " again.");
            return;
        }
        Optional<String> user = hub.userForCode(code);
        if (user.isEmpty()) {
            ctx.status(HttpStatus.FORBIDDEN).result("The hub did not confirm this login: open " + settings.prefix() + " again.");
            return;
        }
        ctx.cookie(cookie(SESSION_COOKIE, sessions.open(user.get()), -1));
        String next = expected.substring(state.length() + 1);
        ctx.redirect(next.startsWith(settings.prefix()) ? next : settings.prefix());
    }

    private void logout(Context ctx) {
        String origin = ctx.header("Origin");
        if (!fromThisOrigin(origin, ctx.header("Host"))) {
            ctx.status(HttpStatus.FORBIDDEN).result("A log-out must come from the dashboard's own page (its Origin was "
                    + origin + "): open " + settings.prefix() + " and use its Log out button.");
            return;
        }
        sessions.close(ctx.cookie(SESSION_COOKIE));
        ctx.removeCookie(SESSION_COOKIE, settings.prefix());
        ctx.redirect("/hub/logout");
    }

    private void json(Context ctx, Function<Overview, Object> part) throws IOException, InterruptedException {
        Optional<Viewer> viewer = viewer(ctx);
        noStore(ctx);
        if (viewer.isEmpty()) {
            ctx.status(HttpStatus.UNAUTHORIZED).json(Map.of("error",
                    "log in: open " + settings.prefix() + " in a browser, or send a hub token that grants "
                            + hub.accessScope() + " as 'Authorization: token TOKEN'"));
            return;
        }
        ctx.json(part.apply(Overview.of(monitor.state(), viewer.get(), clock.instant(), settings.userRunningLimit())));
    }

    /** Who sends this request: a session cookie, or a hub token (asked of the hub, then remembered a minute). */
    private Optional<Viewer> viewer(Context ctx) throws IOException, InterruptedException {
        Optional<String> user = sessions.user(ctx.cookie(SESSION_COOKIE));
        String authorization = ctx.header("Authorization");
        if (user.isEmpty() && authorization != null && authorization.regionMatches(true, 0, "token ", 0, 6)) {
            String token = authorization.substring(6).strip();
            user = sessions.rememberedToken(token);
            if (user.isEmpty()) {
                user = hub.userForToken(token);
                user.ifPresent(u -> sessions.rememberToken(token, u));
            }
        }
        return user.map(u -> new Viewer(u, settings.admins().contains(u)));
    }

    /** Whether a browser's Origin header names the host this request was sent to (browsers send one with a POST). */
    static boolean fromThisOrigin(String origin, String host) {
        if (origin == null || host == null) {
            return false;
        }
        try {
            return host.equalsIgnoreCase(URI.create(origin).getRawAuthority());
        } catch (IllegalArgumentException notAnOrigin) {
            return false;
        }
    }

    private Cookie cookie(String name, String value, int maxAge) {
        return new Cookie(name, value, settings.prefix(), maxAge, false, true, null, SameSite.LAX);
    }

    private static void noStore(Context ctx) {
        ctx.header("Cache-Control", "no-store");
    }

    private static String resource(String name) {
        try (InputStream in = DashboardServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
    }
}
