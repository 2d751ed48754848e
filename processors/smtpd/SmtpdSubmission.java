package smtpd;

import global.Envelope;
import global.MessageContent;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * NAME
 *   SmtpdSubmission - hands a received message to cleanup and reports when it is queued
 * DESCRIPTION
 *   {@link #submit} returns at once; {@code done} is called later, on another thread, with
 *   the queue id once the message is durable in the incoming queue, or with an SMTP reply to
 *   send instead (a temporary failure, or a rejection by a before-queue filter).
 *   {@code attributes} are what cleanup needs besides the envelope, as exchange headers
 *   (e.g. {@link RouteSubmission#TLS_RECEIVED}); usually empty.
 */
public interface SmtpdSubmission {
    /** {@code done.accept(queueId, null)} when queued; {@code done.accept(null, reply)} when not. */
    void submit(Envelope envelope, Map<String, Object> attributes, MessageContent message, BiConsumer<String, Reply> done);
}
