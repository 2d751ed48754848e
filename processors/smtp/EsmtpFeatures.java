package smtp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * NAME
 *   EsmtpFeatures - the ESMTP extensions a server announced in its EHLO reply
 * DESCRIPTION
 *   PIPELINING, SIZE (with its fixed limit; 0 means none), 8BITMIME, DSN, SMTPUTF8, STARTTLS
 *   and AUTH (its mechanisms, upper case; the old {@code AUTH=PLAIN LOGIN} form too), read
 *   from the EHLO reply's lines after the first. Keywords are case-insensitive; unknown ones
 *   are ignored. {@link #NONE} stands for a server that only spoke HELO.
 */
public record EsmtpFeatures(boolean pipelining, boolean size, long sizeLimit, boolean eightBitMime,
                            boolean dsn, boolean smtputf8, boolean startTls, List<String> authMechanisms) {

    public static final EsmtpFeatures NONE = new EsmtpFeatures(false, false, 0, false, false, false);

    public EsmtpFeatures {
        authMechanisms = List.copyOf(authMechanisms);
    }

    /** Without STARTTLS and AUTH. */
    public EsmtpFeatures(boolean pipelining, boolean size, long sizeLimit, boolean eightBitMime, boolean dsn, boolean smtputf8) {
        this(pipelining, size, sizeLimit, eightBitMime, dsn, smtputf8, false, List.of());
    }

    public static EsmtpFeatures parse(SmtpReply ehlo) {
        boolean pipelining = false;
        boolean size = false;
        long sizeLimit = 0;
        boolean eightBit = false;
        boolean dsn = false;
        boolean utf8 = false;
        boolean startTls = false;
        List<String> auth = new ArrayList<>();
        for (int i = 1; i < ehlo.lines().size(); i++) {
            String line = ehlo.lines().get(i);
            String[] words = (line.length() > 4 ? line.substring(4) : "").strip().split("[ =]");
            switch (words[0].toUpperCase(Locale.ROOT)) {
                case "STARTTLS": startTls = true; break;
                case "AUTH":
                    for (int w = 1; w < words.length; w++) {
                        String mech = words[w].toUpperCase(Locale.ROOT);
                        if (!mech.isEmpty() && !auth.contains(mech)) {
                            auth.add(mech);
                        }
                    }
                    break;
                case "PIPELINING": pipelining = true; break;
                case "8BITMIME": eightBit = true; break;
                case "DSN": dsn = true; break;
                case "SMTPUTF8": utf8 = true; break;
                case "SIZE":
                    size = true;
                    sizeLimit = words.length > 1 ? parseSize(words[1]) : 0;
                    break;
                default: break;
            }
        }
        return new EsmtpFeatures(pipelining, size, sizeLimit, eightBit, dsn, utf8, startTls, auth);
    }

    private static long parseSize(String s) {
        try {
            return Math.max(0, Long.parseLong(s));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
