package master;

import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQMessage;
import org.springframework.jms.support.converter.SimpleMessageConverter;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;

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
 *   second copy of the whole body is built on the way to the broker. On the way back an
 *   Artemis large message is saved (JMS_AMQ_SaveStream) straight into one array of its exact
 *   size, so the client does not also keep the chunks. Either way the exchange body is the
 *   {@code byte[]} the routes have always seen; the bytes are unchanged.
 *   Text, map and object messages are converted as Spring's SimpleMessageConverter does.
 * DIAGNOSTICS
 *   A body over 2 GB cannot be held in one array: a JMSException names its size.
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

    @Override
    protected byte[] extractByteArrayFromMessage(BytesMessage message) throws JMSException {
        if (!(message instanceof ActiveMQMessage artemis) || !artemis.getCoreMessage().isLargeMessage()) {
            return super.extractByteArrayFromMessage(message);
        }
        long size = message.getBodyLength();
        if (size > Integer.MAX_VALUE - 16) {
            throw new JMSException("queue file body of " + size + " bytes is too large to hold");
        }
        ExactArray out = new ExactArray((int) size);
        message.setObjectProperty(SAVE_STREAM, out); // blocks until the whole body is written
        return out.array();
    }

    /** An output stream into one array of a known size (grows only if the size was wrong). */
    private static final class ExactArray extends OutputStream {
        private byte[] buf;
        private int len;

        ExactArray(int size) {
            buf = new byte[size];
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[len++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int n) {
            ensure(n);
            System.arraycopy(b, off, buf, len, n);
            len += n;
        }

        private void ensure(int n) {
            if (len + n > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
        }

        byte[] array() {
            return len == buf.length ? buf : java.util.Arrays.copyOf(buf, len);
        }
    }
}
