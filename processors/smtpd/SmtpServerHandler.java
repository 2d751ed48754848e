package smtpd;

import global.MailLog;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import smtpd.restriction.ClientHostname;
import smtpd.restriction.ClientHostnameLookup;

import javax.net.ssl.SSLSession;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * NAME
 *   SmtpServerHandler - one SMTP connection on the Netty event loop
 * DESCRIPTION
 *   The client's host name is looked up first ({@link ClientHostnameLookup}: PTR and forward
 *   confirmation, on a worker while the connection reads nothing; loopback clients are
 *   {@code localhost} at once); then smtpd logs {@code connect from name[addr]} and
 *   sends the greeting, feeds command lines to the {@link SmtpSession} and content lines to
 *   its {@link DataBuffer}, and writes the replies. Pipelined commands are answered in order;
 *   replies are flushed when the client's input is drained (RFC 2920). At the final dot the
 *   message is handed to {@link SmtpdSubmission} and the connection stops reading until the
 *   queue has answered, so the event loop never waits on the journal and later pipelined
 *   commands wait their turn. Idle clients get {@code 421 4.4.2 ... timeout exceeded} after
 *   smtpd_timeout; more than maxproc concurrent sessions get {@code 421 4.3.2}.
 *   STARTTLS: the 220 is sent in plaintext, the input after the command is dropped
 *   (CVE-2011-0411) and a TLS handler goes first in the pipeline; the handshake's end
 *   records {@link TlsInfo} in the session and logs Postfix's {@code Anonymous TLS connection
 *   established from ...} (smtpd_tls_loglevel 1 or more); a failed handshake logs
 *   {@code SSL_accept error from ...} and disconnects. In wrapper mode (smtps) the greeting
 *   waits for the handshake.
 *   AUTH: when the exchange has the credentials, input stops while {@link SmtpdSasl} checks
 *   them on a worker; a failure is answered after smtpd_error_sleep_time (a timer, not a
 *   sleep) and counts toward smtpd_hard_error_limit.
 *   Commands whose restrictions may wait for a policy server or DNS (check_policy_service,
 *   reject_rbl_client, reject_unknown_sender_domain, ...) run on a
 *   worker the same way ({@link RestrictionWorkers}). anvil: {@link ClientLimits} counts the
 *   connection (421 4.7.0 past smtpd_client_connection_count_limit or _rate_limit) and
 *   {@link SmtpdConnection} notes improper pipelining for reject_unauth_pipelining.
 *   smtpd_end_of_data_restrictions run after the final dot (or BDAT LAST) before the message
 *   is queued, on a worker when they may wait.
 *   Logs connect, disconnect (with Postfix's command statistics), lost connection and timeout
 *   lines in Postfix's format.
 */
public final class SmtpServerHandler extends ChannelInboundHandlerAdapter {
    private final SmtpdSettings settings;
    private final SmtpLineDecoder decoder;
    private final SmtpdSubmission submission;
    private final AtomicInteger sessions;
    private final Deque<Object> pending = new ArrayDeque<>();
    private SmtpSession session;
    private SmtpdConnection connection;
    private boolean busy;
    private boolean closing;
    private boolean handshaking;

    public SmtpServerHandler(SmtpdSettings settings, SmtpLineDecoder decoder, SmtpdSubmission submission, AtomicInteger sessions) {
        this.settings = settings;
        this.decoder = decoder;
        this.submission = submission;
        this.sessions = sessions;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetAddress addr = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        ClientHostnameLookup names = ClientHostnameLookup.of(settings.cf, settings.program);
        if (!names.wanted(addr)) {
            connected(ctx, addr, ClientHostname.localhost());
            return;
        }
        hold(ctx);
        Channel ch = ctx.channel();
        RestrictionWorkers.execute(() -> {
            ClientHostname h = names.lookup(addr);
            ch.eventLoop().execute(() -> clientLookedUp(ctx, addr, h));
        });
    }

    /** The client's names are known: greet it, then take its input. */
    private void clientLookedUp(ChannelHandlerContext ctx, InetAddress addr, ClientHostname names) {
        if (!ctx.channel().isActive()) {
            return; // gone during the lookup: never counted, nothing to log
        }
        connected(ctx, addr, names);
        release(ctx);
    }

    /** A client with its host name: logged, counted (anvil, maxproc) and greeted. */
    private void connected(ChannelHandlerContext ctx, InetAddress addr, ClientHostname names) {
        ClientHostname.attach(addr, names);
        session = new SmtpSession(settings, addr, names.name());
        MailLog.info(settings.program, "connect from " + session.client());
        connection = SmtpdConnection.of(session);
        connection.addresses((InetSocketAddress) ctx.channel().localAddress(), (InetSocketAddress) ctx.channel().remoteAddress());
        ClientLimits limits = ClientLimits.of(settings);
        Reply tooMany = limits == null ? null : limits.connect(session); // anvil: counted until channelInactive
        if (sessions.incrementAndGet() > settings.maxSessions) {
            MailLog.warning(settings.program, "too many concurrent sessions (maxproc " + settings.maxSessions + "): " + session.client());
            send(ctx, Reply.closing(421, "4.3.2 " + settings.myhostname + " Service temporarily unavailable: too many connections"));
            ctx.flush();
            return;
        }
        if (tooMany != null) {
            send(ctx, tooMany);
            return;
        }
        if (settings.tls != null && settings.tls.wrappermode) {
            handshaking = true; // the greeting follows the handshake (smtps)
            return;
        }
        send(ctx, session.greetingReply());
        ctx.flush();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            return;
        }
        if (busy) {
            pending.add(msg);
            return;
        }
        handle(ctx, msg);
    }

    private void handle(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof SmtpLineDecoder.ContentLine line) {
            content(ctx, line);
            return;
        }
        if (msg instanceof SmtpLineDecoder.Chunk piece) {
            chunk(ctx, piece);
            return;
        }
        String text = (String) msg;
        Reply r;
        if (text == SmtpLineDecoder.TOO_LONG) {
            r = session.lineTooLong();
        } else {
            connection.command(session, text, decoder.actualReadableBytes() > 0 || !pending.isEmpty());
            if (RestrictionWorkers.wanted(settings, session, text)) {
                commandOnWorker(ctx, text);
                return;
            }
            r = session.command(text);
        }
        answer(ctx, r);
    }

    /** A command whose restrictions may wait for a policy server or DNS: run on a worker while input waits. */
    private void commandOnWorker(ChannelHandlerContext ctx, String text) {
        hold(ctx);
        Channel ch = ctx.channel();
        RestrictionWorkers.execute(() -> {
            Reply r = session.command(text);
            ch.eventLoop().execute(() -> commandDone(ctx, r));
        });
    }

    private void commandDone(ChannelHandlerContext ctx, Reply r) {
        busy = false;
        answer(ctx, r);
        if (!busy) {
            release(ctx);
        }
    }

    /** Sends the reply to a command, or starts what it asked for (AUTH check, DATA, BDAT, STARTTLS). */
    private void answer(ChannelHandlerContext ctx, Reply r) {
        SaslCredentials credentials = session.takeSaslCredentials();
        if (credentials != null) {
            authenticate(ctx, credentials);
            return;
        }
        if (r.code() == 354) {
            decoder.contentMode(true);
        }
        long chunkSize = session.chunkSize();
        if (chunkSize > 0) {
            decoder.chunkMode(chunkSize); // BDAT: the reply follows the chunk's bytes
            return;
        } else if (chunkSize == 0) {
            chunk(ctx, SmtpLineDecoder.Chunk.EMPTY);
            return;
        }
        if (r.code() == StartTlsCommand.READY && session.lastCommand.equals("STARTTLS")) {
            startTls(ctx, r);
            return;
        }
        reply(ctx, r);
    }

    /**
     * The 220 goes out in plaintext; whatever the client sent after STARTTLS is dropped, never
     * executed (CVE-2011-0411); then TLS goes in front of everything and the handshake starts.
     */
    private void startTls(ChannelHandlerContext ctx, Reply ready) {
        send(ctx, ready);
        ctx.flush();
        decoder.startTls();
        pending.clear();
        handshaking = true;
        ctx.pipeline().addFirst(SmtpdInitializer.TLS, settings.tls.newHandler(ctx.alloc()));
    }

    /** Handshake done: record the session (smtps: send the greeting now); failed: log as Postfix, disconnect. */
    private void handshakeCompleted(ChannelHandlerContext ctx, SslHandshakeCompletionEvent e) {
        handshaking = false;
        if (!e.isSuccess()) {
            if (!closing) {
                closing = true;
                MailLog.info(settings.program, "SSL_accept error from " + session.client() + ": " + reason(e.cause()));
                MailLog.info(settings.program, "lost connection after " + session.lastCommand + " from " + session.client());
            }
            ctx.close();
            return;
        }
        SSLSession ssl = ctx.pipeline().get(SslHandler.class).engine().getSession();
        TlsInfo info = TlsInfo.of(ssl);
        settings.tls.established(ssl);
        session.tlsEstablished(info);
        if (settings.tls.loglevel >= 1) {
            MailLog.info(settings.program, "Anonymous TLS connection established from " + session.client() + ": " + info.summary());
        }
        if (settings.tls.wrappermode && !closing) {
            send(ctx, session.greetingReply());
            ctx.flush();
        }
    }

    /** One line, no client bytes (Netty's NotSslRecordException would dump what a plaintext client sent). */
    private static String reason(Throwable cause) {
        if (cause instanceof NotSslRecordException) {
            return "not a TLS handshake (a plaintext client?)";
        }
        Throwable c = cause;
        while (c.getCause() != null && c.getMessage() == null) {
            c = c.getCause();
        }
        String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        m = m.replaceAll("[\\r\\n]+", " ");
        return m.length() > 200 ? m.substring(0, 200) : m;
    }

    private void content(ChannelHandlerContext ctx, SmtpLineDecoder.ContentLine line) {
        DataBuffer data = session.dataBuffer();
        connection.content(session, line.bytes());
        if (!line.isEndOfData()) {
            data.line(line.bytes(), 0, line.bytes().length, line.startsLine());
            return;
        }
        decoder.contentMode(false);
        endOfMessage(ctx);
    }

    /** A piece of a BDAT chunk: its reply after the last byte; after BDAT LAST the message is queued as after DATA. */
    private void chunk(ChannelHandlerContext ctx, SmtpLineDecoder.Chunk piece) {
        Reply r = session.chunk(piece.bytes(), piece.end());
        if (r == null) {
            return;
        }
        if (r.isNone()) {
            endOfMessage(ctx);
            return;
        }
        reply(ctx, r);
    }

    /**
     * The message is complete: refused (size, hops, smtpd_end_of_data_restrictions), or handed
     * to the queue while input waits. End-of-data restrictions that may wait for a policy server
     * or DNS run on a worker. A DISCARDed message is answered as queued and dropped.
     */
    private void endOfMessage(ChannelHandlerContext ctx) {
        Reply refused = session.endOfMessage();
        if (refused != null) {
            reply(ctx, refused);
            return;
        }
        hold(ctx);
        if (!settings.restrictions.checksEndOfData()) {
            endOfDataChecked(ctx, null);
        } else if (RestrictionWorkers.wanted(settings, session, "DATA")) {
            Channel ch = ctx.channel();
            RestrictionWorkers.execute(() -> {
                Reply r = session.endOfDataRestrictions();
                ch.eventLoop().execute(() -> endOfDataChecked(ctx, r));
            });
        } else {
            endOfDataChecked(ctx, session.endOfDataRestrictions());
        }
    }

    /** After smtpd_end_of_data_restrictions (input held): the refusal, the discard, or the queue. */
    private void endOfDataChecked(ChannelHandlerContext ctx, Reply refused) {
        if (refused != null) {
            busy = false;
            reply(ctx, refused);
            if (!busy) {
                release(ctx);
            }
            return;
        }
        if (session.discarded()) {
            queued(ctx, session.queueId(), null);
            return;
        }
        Channel ch = ctx.channel();
        submission.submit(session.envelope(), session.submissionAttributes(), session.dataBuffer().content(), (queueId, failure) ->
                ch.eventLoop().execute(() -> queued(ctx, queueId, failure)));
    }

    /** AUTH has a user name and password: checked on a worker while the connection reads nothing. */
    private void authenticate(ChannelHandlerContext ctx, SaslCredentials credentials) {
        hold(ctx);
        Channel ch = ctx.channel();
        SaslBackend.Client client = new SaslBackend.Client(session.clientAddress.getHostAddress(),
                ((InetSocketAddress) ch.localAddress()).getAddress().getHostAddress(), session.tls != null);
        settings.sasl.verify(credentials, client, result -> ch.eventLoop().execute(() -> authenticated(ctx, credentials, result)));
    }

    /** The AUTH reply; a failure waits smtpd_error_sleep_time (at least) first, on a timer, not on the event loop. */
    private void authenticated(ChannelHandlerContext ctx, SaslCredentials credentials, SaslResult result) {
        Reply r = session.saslResult(credentials, result);
        long delay = r.isError() ? Math.max(settings.errorSleepMillis, session.errorDelayMillis()) : 0;
        if (delay > 0) {
            ctx.executor().schedule(() -> {
                sendChecked(ctx, r);
                release(ctx);
            }, delay, TimeUnit.MILLISECONDS);
            return;
        }
        sendChecked(ctx, r);
        release(ctx);
    }

    private void queued(ChannelHandlerContext ctx, String queueId, Reply failure) {
        session.resetTransaction();
        busy = false;
        if (failure != null) {
            reply(ctx, failure);
        } else {
            session.messageQueued();
            reply(ctx, Reply.of(250, "2.0.0 Ok: queued as " + queueId));
        }
        ctx.flush();
        if (!busy) {
            release(ctx);
        }
    }

    private void reply(ChannelHandlerContext ctx, Reply r) {
        long delay = r.isError() ? session.errorDelayMillis() : 0;
        if (delay > 0 && !r.close()) {
            hold(ctx);
            ctx.executor().schedule(() -> {
                sendChecked(ctx, r);
                release(ctx);
            }, delay, TimeUnit.MILLISECONDS);
            return;
        }
        sendChecked(ctx, r);
    }

    /** Sends a reply; after the error that reaches smtpd_hard_error_limit, Postfix's 421 follows. */
    private void sendChecked(ChannelHandlerContext ctx, Reply r) {
        send(ctx, r);
        if (r.isError() && !r.close() && session.tooManyErrors()) {
            send(ctx, session.tooManyErrorsReply());
        }
    }

    /** Stops taking input (a message being queued, a delayed reply); the decoder keeps later bytes. */
    private void hold(ChannelHandlerContext ctx) {
        busy = true;
        decoder.pause();
        ctx.channel().config().setAutoRead(false);
    }

    /** Takes input again, starting with the bytes the decoder held back meanwhile. */
    private void release(ChannelHandlerContext ctx) {
        busy = false;
        ctx.channel().config().setAutoRead(true);
        while (!busy && !closing && !pending.isEmpty()) {
            handle(ctx, pending.poll());
        }
        if (!busy && !closing) {
            decoder.resume();
            ctx.pipeline().fireChannelRead(Unpooled.EMPTY_BUFFER);
            ctx.pipeline().fireChannelReadComplete();
        }
        ctx.flush();
    }

    private void send(ChannelHandlerContext ctx, Reply r) {
        byte[] bytes = r.render().getBytes(StandardCharsets.UTF_8);
        if (r.close()) {
            closing = true;
            ctx.writeAndFlush(ctx.alloc().buffer(bytes.length).writeBytes(bytes)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.write(ctx.alloc().buffer(bytes.length).writeBytes(bytes));
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent e) {
            handshakeCompleted(ctx, e);
            return;
        }
        // during a handshake smtpd_starttls_timeout applies (the SslHandler's own limit)
        if (evt instanceof IdleStateEvent && !busy && !closing && !handshaking) {
            MailLog.info(settings.program, "timeout after " + session.lastCommand + " from " + session.client());
            send(ctx, Reply.closing(421, "4.4.2 " + settings.myhostname + " Error: timeout exceeded"));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (session != null && !closing) {
            MailLog.info(settings.program, "lost connection after " + session.lastCommand + " from " + session.client()
                    + (cause.getMessage() == null ? "" : ": " + reason(cause)));
            closing = true;
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (session == null) {
            return;
        }
        ClientHostname.detach(session.clientAddress);
        sessions.decrementAndGet();
        ClientLimits limits = ClientLimits.of(settings);
        if (limits != null) {
            limits.disconnect(session);
        }
        if (!closing && !session.lastCommand.equals("QUIT")) {
            MailLog.info(settings.program, "lost connection after " + session.lastCommand + " from " + session.client());
        }
        MailLog.info(settings.program, "disconnect from " + session.client() + " " + session.commandStats());
    }
}
