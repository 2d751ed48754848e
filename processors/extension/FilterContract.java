package extension;

/**
 * NAME
 *   FilterContract - the exchange headers a user route reads and sets at an extension point
 * DESCRIPTION
 *   At smtpd_proxy_filter (before queue), content_filter (after queue) and a {@code camel:}
 *   transport the exchange body is the raw message (byte[]; any type Camel converts to
 *   bytes may be put back) and the headers are the envelope (see global.Envelope: queue_id,
 *   sender, recipients, ...; an optional field that is empty, such as sasl_username without
 *   AUTH, is absent). For convenience the filters also get {@link #MAIL_SUBJECT},
 *   {@link #MAIL_FROM} and {@link #MAIL_MESSAGE_ID} from the message header. A route may:
 *   <ul>
 *   <li>set {@link #PREPEND_HEADER} to a header line {@code Name: value} (or a list of them):
 *       added at the top of the message, after our Received header (Postfix's PREPEND);</li>
 *   <li>change the {@code recipients} header: one recipient per line; a line may be just an
 *       address (before queue only);</li>
 *   <li>replace the body (it is then delivered as given, so keep it a valid RFC 5322
 *       message);</li>
 *   <li>before queue: set {@link #SMTPD_REPLY} to an SMTP reply such as
 *       {@code 550 5.7.1 Executable attachments are not accepted}: the client gets it and
 *       nothing is queued;</li>
 *   <li>after queue: set {@link #FILTER_ACTION} to {@code REJECT text} (every recipient
 *       bounced, 5.7.1), {@code DISCARD text} (dropped, logged) or {@code HOLD text} (moved
 *       to the hold queue);</li>
 *   <li>camel: transport: set {@link #DELIVERY_STATUS} to {@code 5.x.x text} (bounce) or
 *       {@code 4.x.x text} (defer); no status and no exception means delivered; an exception
 *       defers.</li>
 *   </ul>
 */
public final class FilterContract {
    public static final String MAIL_SUBJECT = "mail_subject";
    public static final String MAIL_FROM = "mail_from";
    public static final String MAIL_MESSAGE_ID = "mail_message_id";
    public static final String PREPEND_HEADER = "prepend_header";
    public static final String SMTPD_REPLY = "smtpd_reply";
    public static final String FILTER_ACTION = "filter_action";
    public static final String DELIVERY_STATUS = "delivery_status";

    private FilterContract() {
    }
}
