package metrics;

/**
 * NAME
 *   DeliveryLine - the delay and status of a delivery line of the mail log
 * SYNOPSIS
 *   DeliveryLine d = DeliveryLine.parse("1A2B3C: to=<u@example.com>, relay=..., delay=0.5, ..., status=sent (...)")
 * DESCRIPTION
 *   Reads a line of the form {@code QUEUEID: to=<...>, ... delay=N, ... status=S}, where the
 *   queue id is upper-case hexadecimal and S is sent, deferred, bounced or expired: the lines
 *   pflogsumm counts as deliveries. Written out by hand rather than as a regular expression:
 *   it runs for every delivery, and a backtracking pattern cost more than the rest of the
 *   metrics together.
 * DIAGNOSTICS
 *   null for any other line.
 */
record DeliveryLine(double delaySeconds, String status) {
    private static final String[] STATUSES = {"sent", "deferred", "bounced", "expired"};

    static DeliveryLine parse(String text) {
        int colon = text.indexOf(": to=<");
        if (colon <= 0 || !hex(text, colon)) {
            return null;
        }
        int close = text.indexOf('>', colon + 6);
        if (close < 0 || !text.startsWith(", ", close + 1)) {
            return null;
        }
        int delay = text.indexOf("delay=", close);
        if (delay < 0) {
            return null;
        }
        int from = delay + 6;
        int to = from;
        while (to < text.length() && (Character.isDigit(text.charAt(to)) || text.charAt(to) == '.')) {
            to++;
        }
        if (to == from || !text.startsWith(", ", to)) {
            return null;
        }
        int status = text.indexOf("status=", to);
        if (status < 0) {
            return null;
        }
        for (String s : STATUSES) {
            if (text.startsWith(s, status + 7)) {
                try {
                    return new DeliveryLine(Double.parseDouble(text.substring(from, to)), s);
                } catch (NumberFormatException e) {
                    return null; // "1.2.3"
                }
            }
        }
        return null;
    }

    private static boolean hex(String text, int end) {
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }
}
