package postscreen;

import global.Dns;
import global.MailLog;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * NAME
 *   PostscreenHandler - postscreen(8): screens a new SMTP client before smtpd talks to it
 * SYNOPSIS
 *   pipeline: postscreen, idle, lines, smtpd     (see smtpd.SmtpdInitializer)
 * DESCRIPTION
 *   The first handler of an smtpd listener with postscreen_enable = yes. At connect it logs
 *   {@code CONNECT from [addr]:port to [addr]:port} and consults postscreen_access_list
 *   ({@code ALLOWLISTED [addr]:port}: straight to smtpd; {@code DENYLISTED [addr]:port}:
 *   postscreen_blacklist_action) and the temporary allow list ({@code PASS OLD}: straight to
 *   smtpd). A new client gets the first line of a multi-line greeting ({@code 220-banner})
 *   and waits postscreen_greet_wait, while the postscreen_dnsbl_sites are looked up in
 *   parallel on worker threads (answers later than the wait are not counted). A client that
 *   talks first fails the pregreet test: {@code PREGREET N after T from [addr]:port: text},
 *   then postscreen_greet_action. At the end of the wait the listed sites' weights are added:
 *   a score at or above postscreen_dnsbl_threshold logs {@code DNSBL rank N for [addr]:port}
 *   and applies postscreen_dnsbl_action. The actions: ignore (go on, but do not remember the
 *   client as passed), enforce (the {@link DummySmtpEngine} rejects each RCPT with
 *   {@code 550 5.7.1 Service unavailable; client [addr] blocked using zone}, or
 *   {@code 550 5.5.1 Protocol error} for a pregreet), drop ({@code 521} and disconnect).
 *   A client that fails nothing is logged {@code PASS NEW [addr]:port} and cached. A client
 *   that goes on to smtpd gets smtpd's own {@code 220} (the end of the greeting) as if it had
 *   just connected: this handler leaves the pipeline and fires channelActive.
 * DIAGNOSTICS
 *   A client that hangs up during the tests: {@code HANGUP after T from [addr]:port in tests
 *   before SMTP handshake}. A DNS lookup that fails counts as not listed.
 */
public final class PostscreenHandler extends ChannelInboundHandlerAdapter {
    private static final int MAX_LINE = 2048;
    private static final ExecutorService LOOKUPS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "postscreen-dnsbl");
        t.setDaemon(true);
        return t;
    });

    private enum State { TESTING, DUMMY, DONE }

    private final PostscreenSettings ps;
    private final String program;
    private final Map<DnsblSite, Boolean> listed = new ConcurrentHashMap<>();
    private State state = State.TESTING;
    private InetAddress address;
    private String client;
    private long start;
    private boolean pregreeted;
    private boolean denylisted;
    private DummySmtpEngine engine;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    /** {@code program} is the log name, e.g. {@code postfix/postscreen}. */
    public PostscreenHandler(PostscreenSettings ps, String program) {
        this.ps = ps;
        this.program = program;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
        address = remote.getAddress();
        client = "[" + address.getHostAddress() + "]:" + remote.getPort();
        start = System.nanoTime();
        MailLog.info(program, "CONNECT from " + client + " to [" + local.getAddress().getHostAddress() + "]:" + local.getPort());
        PostscreenAccess.Verdict access = ps.access.check(address);
        if (access == PostscreenAccess.Verdict.PERMIT) {
            MailLog.info(program, "ALLOWLISTED " + client);
            toSmtpd(ctx);
            return;
        }
        if (access == PostscreenAccess.Verdict.REJECT) {
            MailLog.info(program, "DENYLISTED " + client);
            denylisted = true;
            if (ps.blacklistAction == PostscreenSettings.Action.DROP) {
                drop(ctx, "521 5.7.1 Service unavailable");
                return;
            }
        } else if (ps.cache.passed(address.getHostAddress())) {
            MailLog.info(program, "PASS OLD " + client);
            toSmtpd(ctx);
            return;
        }
        write(ctx, "220-" + ps.banner + "\r\n");
        startLookups();
        ctx.executor().schedule(() -> greetWaitOver(ctx), ps.greetWaitMillis, TimeUnit.MILLISECONDS);
    }

    /** The DNSBL queries, one per site, in parallel; each answer is recorded when it arrives. */
    private void startLookups() {
        if (ps.dns == null || !(address instanceof Inet4Address)) {
            return;
        }
        String reversed = reverse(address);
        for (DnsblSite site : ps.dnsblSites) {
            LOOKUPS.execute(() -> listed.put(site, isListed(ps.dns, reversed + "." + site.domain(), site)));
        }
    }

    private static boolean isListed(Dns dns, String name, DnsblSite site) {
        Dns.Answer a = dns.lookup(name, Type.A);
        if (a.status() != Dns.Status.OK) {
            return false;
        }
        for (Record r : a.records()) {
            if (r instanceof ARecord ar && site.filter().test(ar.getAddress())) {
                return true;
            }
        }
        return false;
    }

    private static String reverse(InetAddress a) {
        byte[] b = a.getAddress();
        return (b[3] & 0xff) + "." + (b[2] & 0xff) + "." + (b[1] & 0xff) + "." + (b[0] & 0xff);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.DONE) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf buf = (ByteBuf) msg;
        try {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            if (state == State.TESTING) {
                pregreet(ctx, bytes);
            } else {
                dummy(ctx, bytes);
            }
        } finally {
            ReferenceCountUtil.release(buf);
        }
    }

    /** The client talked before the greeting was complete: the pregreet test fails (logged once). */
    private void pregreet(ChannelHandlerContext ctx, byte[] bytes) {
        if (pregreeted) {
            return;
        }
        pregreeted = true;
        MailLog.info(program, "PREGREET " + bytes.length + " after " + elapsed() + " from " + client + ": " + printable(bytes));
        if (ps.greetAction == PostscreenSettings.Action.DROP) {
            drop(ctx, "521 5.5.1 Protocol error");
        }
    }

    /** postscreen_greet_wait is over: the DNSBL score, then pass, ignore, enforce or drop. */
    private void greetWaitOver(ChannelHandlerContext ctx) {
        if (state != State.TESTING || !ctx.channel().isActive()) {
            return;
        }
        int score = 0;
        String zone = null;
        for (DnsblSite site : ps.dnsblSites) {
            if (Boolean.TRUE.equals(listed.get(site))) {
                score += site.weight();
                zone = zone == null && site.weight() > 0 ? site.domain() : zone;
            }
        }
        boolean dnsblFailed = !ps.dnsblSites.isEmpty() && score >= ps.dnsblThreshold;
        if (dnsblFailed) {
            MailLog.info(program, "DNSBL rank " + score + " for " + client);
        }
        String blocked = "5.7.1 Service unavailable; client [" + address.getHostAddress() + "] blocked using " + zone;
        if (dnsblFailed && ps.dnsblAction == PostscreenSettings.Action.DROP) {
            drop(ctx, "521 " + blocked);
        } else if (dnsblFailed && ps.dnsblAction == PostscreenSettings.Action.ENFORCE) {
            enforce(ctx, "550 " + blocked);
        } else if (denylisted && ps.blacklistAction == PostscreenSettings.Action.ENFORCE) {
            enforce(ctx, "550 5.7.1 Service unavailable");
        } else if (pregreeted && ps.greetAction == PostscreenSettings.Action.ENFORCE) {
            enforce(ctx, "550 5.5.1 Protocol error");
        } else {
            if (!dnsblFailed && !pregreeted && !denylisted) {
                MailLog.info(program, "PASS NEW " + client);
                ps.cache.pass(address.getHostAddress());
            }
            toSmtpd(ctx);
        }
    }

    /** The client failed with enforce: the dummy engine answers, and refuses every RCPT with this reply. */
    private void enforce(ChannelHandlerContext ctx, String rcptReply) {
        state = State.DUMMY;
        engine = new DummySmtpEngine(program, ps.myhostname, client, rcptReply);
        line.reset();
        write(ctx, "220 " + ps.banner + "\r\n");
    }

    private void dummy(ChannelHandlerContext ctx, byte[] bytes) {
        for (byte b : bytes) {
            if (state != State.DUMMY) {
                return;
            }
            if (b != '\n') {
                if (line.size() < MAX_LINE) {
                    line.write(b);
                }
                continue;
            }
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            String reply = engine.command(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
            if (reply.startsWith("221")) {
                drop(ctx, reply.strip());
                return;
            }
            write(ctx, reply);
        }
    }

    /** Sends a final reply, logs DISCONNECT and closes. */
    private void drop(ChannelHandlerContext ctx, String reply) {
        state = State.DONE;
        MailLog.info(program, "DISCONNECT " + client);
        ctx.writeAndFlush(ctx.alloc().buffer().writeBytes((reply + "\r\n").getBytes(StandardCharsets.UTF_8)))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** The client goes on to smtpd, which greets it as if it had just connected. */
    private void toSmtpd(ChannelHandlerContext ctx) {
        state = State.DONE;
        ChannelPipeline p = ctx.pipeline();
        p.remove(this);
        p.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state == State.TESTING) {
            MailLog.info(program, "HANGUP after " + elapsed() + " from " + client + " in tests before SMTP handshake");
        } else if (state == State.DUMMY) {
            MailLog.info(program, "DISCONNECT " + client);
        }
        state = State.DONE;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state == State.DONE) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        ctx.close();
    }

    private void write(ChannelHandlerContext ctx, String text) {
        ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(text.getBytes(StandardCharsets.UTF_8)));
    }

    private String elapsed() {
        return String.format(Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e9);
    }

    /** Postfix's printable form of what the client sent: CR and LF as \r and \n, at most 100 characters. */
    private static String printable(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c < 0x20 || c > 0x7e) {
                sb.append('?');
            } else {
                sb.append((char) c);
            }
            if (sb.length() >= 100) {
                return sb.substring(0, 100);
            }
        }
        return sb.toString();
    }
}
