package smtpd;

import global.MailLog;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;

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
 *   Sends the greeting, feeds command lines to the {@link SmtpSession} and content lines to
 *   its {@link DataBuffer}, and writes the replies. Pipelined commands are answered in order;
 *   replies are flushed when the client's input is drained (RFC 2920). At the final dot the
 *   message is handed to {@link SmtpdSubmission} and the connection stops reading until the
 *   queue has answered, so the event loop never waits on the journal and later pipelined
 *   commands wait their turn. Idle clients get {@code 421 4.4.2 ... timeout exceeded} after
 *   smtpd_timeout; more than maxproc concurrent sessions get {@code 421 4.3.2}.
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
    private boolean busy;
    private boolean closing;

    public SmtpServerHandler(SmtpdSettings settings, SmtpLineDecoder decoder, SmtpdSubmission submission, AtomicInteger sessions) {
        this.settings = settings;
        this.decoder = decoder;
        this.submission = submission;
        this.sessions = sessions;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetAddress addr = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        String name = addr.isLoopbackAddress() ? "localhost" : "unknown";
        session = new SmtpSession(settings, addr, name);
        MailLog.info(settings.program, "connect from " + session.client());
        if (sessions.incrementAndGet() > settings.maxSessions) {
            MailLog.warning(settings.program, "too many concurrent sessions (maxproc " + settings.maxSessions + "): " + session.client());
            send(ctx, Reply.closing(421, "4.3.2 " + settings.myhostname + " Service temporarily unavailable: too many connections"));
            ctx.flush();
            return;
        }
        send(ctx, Reply.of(220, session.greeting()));
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
        String text = (String) msg;
        Reply r;
        if (text == SmtpLineDecoder.TOO_LONG) {
            r = session.error(Reply.of(500, "5.5.2 Error: line too long"));
        } else {
            r = session.command(text);
        }
        if (r.code() == 354) {
            decoder.contentMode(true);
        }
        reply(ctx, r);
    }

    private void content(ChannelHandlerContext ctx, SmtpLineDecoder.ContentLine line) {
        DataBuffer data = session.dataBuffer();
        if (!line.isEndOfData()) {
            data.line(line.bytes(), 0, line.bytes().length, line.startsLine());
            return;
        }
        decoder.contentMode(false);
        if (data.tooBig()) {
            MailLog.info(settings.program, session.queueId + ": reject: size " + data.size() + " exceeds limit from " + session.client()
                    + ": 552 5.3.4 Message size exceeds fixed limit; " + session.logContext(null));
            session.resetTransaction();
            reply(ctx, session.error(Reply.of(552, "5.3.4 Message size exceeds fixed limit")));
            return;
        }
        hold(ctx);
        Channel ch = ctx.channel();
        submission.submit(session.envelope(), data.bytes(), (queueId, failure) ->
                ch.eventLoop().execute(() -> queued(ctx, queueId, failure)));
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
        if (evt instanceof IdleStateEvent && !busy && !closing) {
            MailLog.info(settings.program, "timeout after " + session.lastCommand + " from " + session.client());
            send(ctx, Reply.closing(421, "4.4.2 " + settings.myhostname + " Error: timeout exceeded"));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (session != null && !closing) {
            MailLog.info(settings.program, "lost connection after " + session.lastCommand + " from " + session.client()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
            closing = true;
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (session == null) {
            return;
        }
        sessions.decrementAndGet();
        if (!closing && !session.lastCommand.equals("QUIT")) {
            MailLog.info(settings.program, "lost connection after " + session.lastCommand + " from " + session.client());
        }
        MailLog.info(settings.program, "disconnect from " + session.client() + " " + session.commandStats());
    }
}
