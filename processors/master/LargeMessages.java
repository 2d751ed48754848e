package master;

import global.MessageContent;
import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQMessage;
import org.springframework.jms.support.converter.SimpleMessageConverter;

import java.io.ByteArrayInputStream;
import java.io.InputStream;

/**
 * NAME
 *   LargeMessages - queue file bodies of any size through Artemis without extra whole copies
 * SYNOPSIS
 *   jms:queue:incoming?messageConverter=#largeMessages
 * DESCRIPTION
 *   The JMS message converter of the mail queues (routes/Queues). A message body up to
 *   {@code threshold} bytes travels as an ordinary BytesMessage, as before. A bigger one is
 *   handed to the Artemis client as a stream (the JMS_AMQ_InputStream property): the client
 *   sends it in chunks and the broker writes it to its large-messages directory, so no
 *   second copy of the whole body is built on the way to the broker. A global.MessageContent
 *   (cleanup's queue file, qmgr's entries) is written piece by piece or streamed the same
 *   way, never joined. On the way back an Artemis large message is saved
 *   (JMS_AMQ_SaveStream) into pieces of 256 KB and the exchange body is that MessageContent
 *   (Camel converts it to byte[] for a route that asks; qmgr passes it on as it is, and the
 *   smtp client streams it); a small message is the {@code byte[]} the routes have always
 *   seen. The bytes are unchanged either way.
 *   Text, map and object messages are converted as Spring's SimpleMessageConverter does.
 */
public final class LargeMessages extends SimpleMessageConverter {
    /** Artemis's JMS object properties for streamed bodies. */
    private static final String INPUT_STREAM = "JMS_AMQ_InputStream";
    private static final String SAVE_STREAM = "JMS_AMQ_SaveStream";

    private final int threshold;

    /** {@code threshold}: bodies bigger than this are streamed (Artemis's min-large-message-size). */
    public LargeMessages(int threshold) {
        this.threshold = threshold;
    }

    @Override
    public Message toMessage(Object body, Session session) throws JMSException {
        if (body instanceof MessageContent content) {
            return createMessageForContent(content, session);
        }
        if (body instanceof InputStream in) {
            BytesMessage m = session.createBytesMessage();
            m.setObjectProperty(INPUT_STREAM, in);
            return m;
        }
        return super.toMessage(body, session);
    }

    @Override
    protected BytesMessage createMessageForByteArray(byte[] bytes, Session session) throws JMSException {
        BytesMessage m = session.createBytesMessage();
        if (bytes.length > threshold) {
            m.setObjectProperty(INPUT_STREAM, new ByteArrayInputStream(bytes));
        } else {
            m.writeBytes(bytes);
        }
        return m;
    }

    /** cleanup's queue file: its pieces written in order, or streamed when big; never joined. */
    private BytesMessage createMessageForContent(MessageContent content, Session session) throws JMSException {
        BytesMessage m = session.createBytesMessage();
        if (content.size() > threshold) {
            m.setObjectProperty(INPUT_STREAM, content.stream());
        } else {
            for (MessageContent.Piece p : content.pieces()) {
                m.writeBytes(p.bytes(), p.off(), p.len());
            }
        }
        return m;
    }

    /**
     * A streamed large message becomes a MessageContent of 256 KB pieces: the body is never
     * held in one array (no large contiguous heap); others as Spring does.
     */
    @Override
    public Object fromMessage(Message message) throws JMSException {
        if (message instanceof BytesMessage && message instanceof ActiveMQMessage artemis && artemis.getCoreMessage().isLargeMessage()) {
            MessageContent.Collector out = new MessageContent.Collector(MessageContent.PIECE);
            message.setObjectProperty(SAVE_STREAM, out); // blocks until the whole body is written
            return out.content();
        }
        return super.fromMessage(message);
    }
}
