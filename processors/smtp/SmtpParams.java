package smtp;

import global.MainCf;

/**
 * NAME
 *   SmtpParams - the main.cf parameters of the SMTP client
 * DESCRIPTION
 *   smtp_helo_name and the time limits, in seconds: smtp_connect_timeout, smtp_helo_timeout
 *   (greeting and EHLO/HELO), smtp_mail_timeout, smtp_rcpt_timeout, smtp_data_init_timeout,
 *   smtp_data_xfer_timeout, smtp_data_done_timeout, smtp_quit_timeout, smtp_rset_timeout
 *   (RSET on a cached session); and Postfix's
 *   smtp_mx_address_limit (5) and smtp_mx_session_limit (2), which default here when
 *   main.cf does not know them. {@link #lmtp} gives the LMTP client's: LHLO with
 *   lmtp_lhlo_name, the smtp_* time limits otherwise.
 * DIAGNOSTICS
 *   A bad value is a ConfigException naming the parameter (from MainCf), when the agent is
 *   created.
 */
public record SmtpParams(String heloName, long connectTimeout, long heloTimeout, long mailTimeout,
                         long rcptTimeout, long dataInitTimeout, long dataXferTimeout, long dataDoneTimeout,
                         long quitTimeout, long rsetTimeout, int mxAddressLimit, int mxSessionLimit, boolean lmtp) {

    public static SmtpParams from(MainCf cf) {
        return of(cf, cf.get("smtp_helo_name").strip(), false);
    }

    /** The LMTP client (RFC 2033): LHLO lmtp_lhlo_name, one reply per recipient after DATA. */
    public static SmtpParams lmtp(MainCf cf) {
        String name = cf.get("lmtp_lhlo_name").strip();
        return of(cf, name.isEmpty() ? cf.get("myhostname").strip() : name, true);
    }

    private static SmtpParams of(MainCf cf, String heloName, boolean lmtp) {
        return new SmtpParams(heloName,
                cf.seconds("smtp_connect_timeout"),
                cf.seconds("smtp_helo_timeout"),
                cf.seconds("smtp_mail_timeout"),
                cf.seconds("smtp_rcpt_timeout"),
                cf.seconds("smtp_data_init_timeout"),
                cf.seconds("smtp_data_xfer_timeout"),
                cf.seconds("smtp_data_done_timeout"),
                cf.seconds("smtp_quit_timeout"),
                cf.seconds("smtp_rset_timeout"),
                limit(cf, "smtp_mx_address_limit", 5),
                limit(cf, "smtp_mx_session_limit", 2),
                lmtp);
    }

    /** 0 means no limit, as in Postfix. */
    private static int limit(MainCf cf, String name, int fallback) {
        int n = cf.get(name).isBlank() ? fallback : cf.integer(name);
        return n <= 0 ? Integer.MAX_VALUE : n;
    }
}
