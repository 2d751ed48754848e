package smtpd.restriction;

/**
 * NAME
 *   HostnameSyntax - Postfix's valid_hostname, valid_hostaddr and address literal tests
 * DESCRIPTION
 *   A host name is dot-separated labels of letters, digits and '-' (not at a label's start or
 *   end), at most 63 characters per label and 255 in all, not all-numeric. An address is a
 *   dotted quad or an IPv6 address; an address literal is one of them in brackets
 *   ({@code [192.0.2.1]}, {@code [IPv6:2001:db8::1]}).
 */
final class HostnameSyntax {
    private HostnameSyntax() {
    }

    static boolean validHostname(String name) {
        if (name.isEmpty() || name.length() > 255 || name.startsWith(".") || name.endsWith(".")) {
            return false;
        }
        boolean nonNumeric = false;
        for (String label : name.split("\\.", -1)) {
            if (!label.matches("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")) {
                return false;
            }
            nonNumeric |= !label.matches("[0-9]+");
        }
        return nonNumeric;
    }

    static boolean validHostaddr(String s) {
        if (s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            for (String part : s.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return false;
                }
            }
            return true;
        }
        return s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+") && s.length() <= 45;
    }

    /** {@code [address]} or {@code [IPv6:address]}. */
    static boolean validLiteral(String s) {
        if (!s.startsWith("[") || !s.endsWith("]")) {
            return false;
        }
        String inner = s.substring(1, s.length() - 1);
        if (inner.regionMatches(true, 0, "IPv6:", 0, 5)) {
            inner = inner.substring(5);
            return inner.indexOf(':') >= 0 && validHostaddr(inner);
        }
        return validHostaddr(inner);
    }

    /** The name without one trailing dot, as Postfix tests HELO names. */
    static String stripDot(String name) {
        return name.endsWith(".") && name.length() > 1 ? name.substring(0, name.length() - 1) : name;
    }
}
