package master;

import global.MessageContent;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.TypeConversionException;
import org.apache.camel.spi.TypeConverterRegistry;
import org.apache.camel.support.TypeConverterSupport;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * NAME
 *   MessageContentConverter - Camel type conversions of a message body held as pieces
 * DESCRIPTION
 *   smtpd hands cleanup a global.MessageContent. A route that reads such a body as
 *   {@code byte[]}, {@code String} (decoded as Camel decodes a byte[] body: the exchange's
 *   charset, else UTF-8) or {@code InputStream} gets it converted here: an array is joined once (the
 *   array itself when the content is one whole array), a stream reads the pieces in place.
 */
public final class MessageContentConverter extends TypeConverterSupport {
    private MessageContentConverter() {
    }

    public static void register(CamelContext camel) {
        TypeConverterRegistry registry = camel.getTypeConverterRegistry();
        MessageContentConverter converter = new MessageContentConverter();
        registry.addTypeConverter(byte[].class, MessageContent.class, converter);
        registry.addTypeConverter(String.class, MessageContent.class, converter);
        registry.addTypeConverter(InputStream.class, MessageContent.class, converter);
    }

    @Override
    public <T> T convertTo(Class<T> type, Exchange exchange, Object value) throws TypeConversionException {
        if (!(value instanceof MessageContent content)) {
            return null;
        }
        if (type == byte[].class) {
            return type.cast(content.toByteArray());
        }
        if (type == String.class) { // as Camel reads a byte[] body: the exchange's charset, else UTF-8
            String charset = exchange == null ? null : exchange.getProperty(Exchange.CHARSET_NAME, String.class);
            return type.cast(new String(content.toByteArray(), charset == null ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(charset)));
        }
        if (type == InputStream.class) {
            return type.cast(content.stream());
        }
        return null;
    }
}
