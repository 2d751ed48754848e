package extension;

import org.apache.camel.Exchange;

import java.util.Collection;
import java.util.List;

/**
 * NAME
 *   PrependHeaders - the header lines a filter asked to add (prepend_header)
 * DESCRIPTION
 *   Reads {@link FilterContract#PREPEND_HEADER} (a String, or a collection of them) and
 *   returns the lines, each {@code Name: value} ending in CRLF. A value with a line break
 *   that is not a proper folding (a way to inject headers or a body) is refused.
 * DIAGNOSTICS
 *   IllegalArgumentException naming the bad line; smtpd answers 451, qmgr retries.
 */
public final class PrependHeaders {
    private PrependHeaders() {
    }

    public static String lines(Exchange exchange) {
        Object v = exchange.getIn().getHeader(FilterContract.PREPEND_HEADER);
        if (v == null) {
            return "";
        }
        Collection<?> items = v instanceof Collection<?> c ? c : List.of(v);
        StringBuilder sb = new StringBuilder();
        for (Object item : items) {
            String line = String.valueOf(item).replaceAll("\\r?\\n$", "");
            if (!line.matches("[!-9;-~]+:[^\\r\\n]*((\\r?\\n)[ \\t][^\\r\\n]*)*")) {
                throw new IllegalArgumentException("prepend_header is not a header line: " + line);
            }
            sb.append(line.replaceAll("\\r?\\n", "\r\n")).append("\r\n");
        }
        return sb.toString();
    }
}
