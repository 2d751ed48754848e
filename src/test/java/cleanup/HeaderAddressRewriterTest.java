package cleanup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Header address rewriting as a reader of the delivered message sees it: only the address
 * changes; display names (quoted, with commas), comments, groups, folding and the body keep
 * their bytes, and a header no map changes is left byte for byte.
 */
class HeaderAddressRewriterTest {
    private static final Map<String, String> MAP = Map.of(
            "bob@example.com", "robert@example.com",
            "carol@example.com", "c.smith@example.com",
            "john smith@example.com", "john@example.com",
            "dave@example.com", "dave smith@example.com");
    private static final UnaryOperator<String> LOOKUP = a -> MAP.getOrDefault(a.toLowerCase(), a);

    private static String rewrite(String message) {
        return new String(HeaderAddressRewriter.rewrite(message.getBytes(StandardCharsets.ISO_8859_1), LOOKUP, LOOKUP),
                StandardCharsets.ISO_8859_1);
    }

    @Test
    void displayNamesCommentsAndGroupsAreKept() {
        assertEquals("From: \"Smith, Bob\" <robert@example.com> (work)\r\n\r\nbob@example.com\r\n",
                rewrite("From: \"Smith, Bob\" <bob@example.com> (work)\r\n\r\nbob@example.com\r\n"));
        assertEquals("To: robert@example.com (Bob), friends: c.smith@example.com, x@y.example;\r\n\r\n",
                rewrite("To: bob@example.com (Bob), friends: carol@example.com, x@y.example;\r\n\r\n"));
        assertEquals("Cc: Carol\r\n <c.smith@example.com>,\r\n\trobert@example.com\r\n\r\n",
                rewrite("Cc: Carol\r\n <carol@example.com>,\r\n\tbob@example.com\r\n\r\n"));
    }

    @Test
    void quotedLocalPartsAreInternalisedAndExternalised() {
        assertEquals("Reply-To: <john@example.com>\r\n\r\n", rewrite("Reply-To: <\"john smith\"@example.com>\r\n\r\n"));
        assertEquals("Sender: \"dave smith\"@example.com\r\n\r\n", rewrite("Sender: dave@example.com\r\n\r\n"));
    }

    @Test
    void otherHeadersAndUnchangedMessagesAreLeftAlone() {
        String keep = "Subject: bob@example.com\r\nX-Other: <bob@example.com>\r\nFrom: <>\r\nTo: a@b.example\r\n\r\n";
        byte[] bytes = keep.getBytes(StandardCharsets.ISO_8859_1);
        assertSame(bytes, HeaderAddressRewriter.rewrite(bytes, LOOKUP, LOOKUP));
        assertEquals("To: <@relay.example:bob@example.com>\r\n\r\n", rewrite("To: <@relay.example:bob@example.com>\r\n\r\n"));
    }

    @Test
    void classesCanBeLeftOut() {
        byte[] m = "From: bob@example.com\r\nTo: bob@example.com\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("From: bob@example.com\r\nTo: robert@example.com\r\n\r\n",
                new String(HeaderAddressRewriter.rewrite(m, null, LOOKUP), StandardCharsets.ISO_8859_1));
    }
}
