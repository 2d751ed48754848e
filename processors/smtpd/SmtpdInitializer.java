package smtpd;

import anvil.Anvil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import org.apache.camel.component.netty.NettyConsumer;
import org.apache.camel.component.netty.ServerInitializerFactory;
import postscreen.PostscreenHandler;
import postscreen.PostscreenSettings;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * NAME
 *   SmtpdInitializer - the Netty pipeline of an smtpd listener behind a camel-netty consumer
 * SYNOPSIS
 *   from("netty:tcp://127.0.0.1:2525?serverInitializerFactory=#smtpd-127.0.0.1:2525&sync=false")
 * DESCRIPTION
 *   camel-netty binds the port and owns the event loops; this factory puts the SMTP protocol
 *   on each accepted channel: TLS first when smtpd_tls_wrappermode = yes (smtps; with
 *   STARTTLS the handler puts it there later, see {@link SmtpdTls}), idle timeout (smtpd_timeout), {@link SmtpLineDecoder},
 *   {@link SmtpServerHandler}. With postscreen_enable = yes on the service (camel-mta's switch;
 *   not with wrapper-mode TLS) a {@link PostscreenHandler} goes first and hands screened
 *   clients on to smtpd. Each message a client finishes becomes one exchange of the
 *   consumer's route (see {@link RouteSubmission}), processed on the {@code queueWriters}
 *   pool, so the route's blocking steps never run on an event loop.
 */
public final class SmtpdInitializer extends ServerInitializerFactory {
    /** The TLS handler's name: first in the pipeline, from the start (smtps) or after STARTTLS. */
    public static final String TLS = "tls";
    private final SmtpdSettings settings;
    private final ExecutorService queueWriters;
    private final AtomicInteger sessions;
    private final SmtpdSubmission submission;
    private final Anvil anvil;

    /** A listener whose client limits share the anvil of every smtpd built on the same trivial-rewrite (one server). */
    /** A listener whose client limits ({@link ClientLimits}) count in this anvil. */
    public SmtpdInitializer(SmtpdSettings settings, ExecutorService queueWriters, Anvil anvil) {
        this(settings, queueWriters, new AtomicInteger(), null, anvil);
    }

    private SmtpdInitializer(SmtpdSettings settings, ExecutorService queueWriters, AtomicInteger sessions, SmtpdSubmission submission,
                             Anvil anvil) {
        this.settings = settings;
        this.queueWriters = queueWriters;
        this.sessions = sessions;
        this.submission = submission;
        this.anvil = anvil;
    }

    @Override
    public ServerInitializerFactory createPipelineFactory(NettyConsumer consumer) {
        String routeId = consumer.getRouteId() == null ? "smtpd:smtp" : consumer.getRouteId();
        String service = routeId.startsWith("smtpd:") ? routeId.substring("smtpd:".length()) : routeId;
        ClientLimits.register(settings, new ClientLimits(settings.cf, anvil, service, settings.program));
        return new SmtpdInitializer(settings, queueWriters, sessions, new RouteSubmission(consumer, queueWriters, settings), anvil);
    }

    @Override
    protected void initChannel(Channel ch) {
        SmtpLineDecoder decoder = new SmtpLineDecoder(settings.lineLengthLimit);
        ChannelPipeline p = ch.pipeline();
        if (settings.tls != null && settings.tls.wrappermode) {
            p.addLast(TLS, settings.tls.newHandler(ch.alloc()));
        }
        if (PostscreenSettings.enabled(settings.cf) && (settings.tls == null || !settings.tls.wrappermode)) {
            p.addLast("postscreen", new PostscreenHandler(PostscreenSettings.of(settings.cf), postscreenProgram()));
        }
        p.addLast("idle", new IdleStateHandler(settings.timeoutSeconds, 0, 0, TimeUnit.SECONDS));
        p.addLast("lines", decoder);
        p.addLast("smtpd", new SmtpServerHandler(settings, decoder, submission, sessions));
    }

    /** postscreen's log name next to smtpd's: {@code postfix/smtpd} gives {@code postfix/postscreen}. */
    private String postscreenProgram() {
        int slash = settings.program.lastIndexOf('/');
        return (slash < 0 ? "" : settings.program.substring(0, slash + 1)) + "postscreen";
    }

    /** Open SMTP sessions on this listener. */
    public int sessions() {
        return sessions.get();
    }
}
