package smtpd.restriction;

import smtpd.Reply;

import java.util.ArrayList;
import java.util.List;

/**
 * NAME
 *   Verdict - the outcome of one restriction: PERMIT, DUNNO, REJECT or DEFER
 * DESCRIPTION
 *   As in Postfix's smtpd_check.c: PERMIT and REJECT/DEFER end the evaluation of a restriction
 *   list, DUNNO goes on to the next restriction. REJECT and DEFER carry the SMTP reply (5xx and
 *   4xx); a reply that closes the connection (421, 521 from an access table) says so.
 *   {@code actions} are the access actions that fired on the way ({@link MessageAction}: HOLD,
 *   DISCARD, FILTER, PREPEND, REDIRECT, BCC, INFO, DEFER_IF_*); usually none.
 */
public record Verdict(Kind kind, Reply reply, List<MessageAction> actions) {
    public enum Kind { PERMIT, DUNNO, REJECT, DEFER }

    public static final Verdict PERMIT = new Verdict(Kind.PERMIT, null);
    public static final Verdict DUNNO = new Verdict(Kind.DUNNO, null);

    public Verdict {
        actions = List.copyOf(actions);
    }

    public Verdict(Kind kind, Reply reply) {
        this(kind, reply, List.of());
    }

    /** A refusal with this reply: REJECT for 5xx, DEFER for 4xx. */
    public static Verdict refuse(Reply reply) {
        return new Verdict(reply.code() >= 500 ? Kind.REJECT : Kind.DEFER, reply);
    }

    /** Postfix's {@code CODE DSN <name>: Class rejected: text}. */
    public static Verdict refuse(int code, String dsn, String replyName, String replyClass, String text) {
        return refuse(Reply.of(code, dsn + " <" + replyName + ">: " + replyClass + " rejected: " + text));
    }

    /** The same verdict with one more action. */
    public Verdict with(MessageAction action) {
        List<MessageAction> more = new ArrayList<>(actions);
        more.add(action);
        return new Verdict(kind, reply, more);
    }

    /** True when the list stops here (PERMIT, REJECT or DEFER). */
    public boolean isFinal() {
        return kind != Kind.DUNNO;
    }

    public boolean isRefusal() {
        return kind == Kind.REJECT || kind == Kind.DEFER;
    }
}
