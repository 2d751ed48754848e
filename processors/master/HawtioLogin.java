package master;

import global.LookupTable;
import global.MailLog;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;
import java.security.Principal;
import java.util.List;
import java.util.Map;

/**
 * NAME
 *   HawtioLogin - the Hawtio console's login: users and password hashes in hawtio_users_maps
 * SYNOPSIS
 *   hawtio_authentication = yes
 *   hawtio_users_maps = properties:lookup-tables/hawtio-users.properties
 *   # admin = {SHA512-CRYPT}$6$saltsalt$...      (doveadm pw -s SHA512-CRYPT, openssl passwd -6)
 *   # admin = {PLAIN}secret
 * DESCRIPTION
 *   A JAAS LoginModule for the realm {@value #REALM}, which Hawtio 4's login form and its
 *   jolokia endpoint (HTTP Basic) ask. {@link #install} makes the realm known to JAAS (the
 *   JVM's other realms stay as they were) and names the users' tables. A user name is looked
 *   up in the tables (in memory, reloaded when the file changes); the stored value is checked
 *   with the password schemes of smtpd's passwd-file ({SHA512-CRYPT}, {SHA256-CRYPT}, {SSHA512},
 *   {SHA512}, {PLAIN}, ...; see smtpd.PasswordHash). Every user in the table gets the role
 *   {@value #ROLE}, which HawtioConsole tells Hawtio to require.
 *   One realm per JVM: the last console started names the tables.
 * DIAGNOSTICS
 *   An unknown user or a wrong password fails the login (the same for both) and logs
 *   {@code warning: hawtio console: authentication failed for user NAME} (never the password).
 */
public final class HawtioLogin implements LoginModule {
    /** The JAAS realm Hawtio is told to use (hawtio.realm). */
    public static final String REALM = "camel-mta";
    /** The role every user of hawtio_users_maps has (hawtio.roles). */
    public static final String ROLE = "admin";

    private static volatile List<LookupTable> users = List.of();
    private static volatile String program = "postfix/hawtio";

    private Subject subject;
    private CallbackHandler callbacks;
    private String user;

    /** The users' tables for the realm; installs the realm in JAAS once. */
    static synchronized void install(List<LookupTable> tables, String logProgram) {
        users = List.copyOf(tables);
        program = logProgram;
        Configuration previous = currentConfiguration();
        if (!(previous instanceof RealmConfiguration)) {
            Configuration.setConfiguration(new RealmConfiguration(previous));
        }
    }

    /** True when no table has a user (nobody can log in). */
    static boolean noUsers() {
        return users.stream().allMatch(LookupTable::isEmpty);
    }

    private static Configuration currentConfiguration() {
        try {
            return Configuration.getConfiguration();
        } catch (SecurityException noLoginConfigFile) {
            return null;
        }
    }

    @Override
    public void initialize(Subject subject, CallbackHandler callbackHandler, Map<String, ?> sharedState, Map<String, ?> options) {
        this.subject = subject;
        this.callbacks = callbackHandler;
    }

    @Override
    public boolean login() throws LoginException {
        NameCallback name = new NameCallback("user: ");
        PasswordCallback password = new PasswordCallback("password: ", false);
        try {
            callbacks.handle(new Callback[] {name, password});
        } catch (Exception e) {
            throw new LoginException("hawtio console: cannot read the credentials: " + e.getMessage());
        }
        String who = name.getName() == null ? "" : name.getName().strip();
        char[] secret = password.getPassword();
        password.clearPassword();
        if (who.isEmpty() || secret == null || !matches(stored(who), new String(secret))) {
            MailLog.warning(program, "hawtio console: authentication failed for user " + printable(who));
            throw new FailedLoginException("authentication failure");
        }
        user = who;
        return true;
    }

    private static String stored(String who) {
        for (LookupTable t : users) {
            String v = t.get(who);
            if (v != null) {
                return v.strip();
            }
        }
        return null;
    }

    /** The passwd-file schemes of smtpd ({@link smtpd.PasswordHash}). */
    private static boolean matches(String stored, String password) {
        return stored != null && smtpd.PasswordHash.matches(password, stored);
    }

    private static String printable(String s) {
        return s.replaceAll("[^\\x21-\\x7e]", "?");
    }

    @Override
    public boolean commit() {
        if (user == null) {
            return false;
        }
        subject.getPrincipals().add(new User(user));
        subject.getPrincipals().add(new Role(ROLE));
        MailLog.info(program, "hawtio console: user " + printable(user) + " logged in");
        return true;
    }

    @Override
    public boolean abort() {
        user = null;
        return true;
    }

    @Override
    public boolean logout() {
        subject.getPrincipals().removeIf(p -> p instanceof User || p instanceof Role);
        user = null;
        return true;
    }

    /** The logged-in user. */
    public static final class User extends Named {
        public User(String name) {
            super(name);
        }
    }

    /** A role; Hawtio finds it by this class's name (hawtio.rolePrincipalClasses). */
    public static final class Role extends Named {
        public Role(String name) {
            super(name);
        }
    }

    private abstract static class Named implements Principal {
        private final String name;

        Named(String name) {
            this.name = name;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean equals(Object o) {
            return o != null && o.getClass() == getClass() && ((Named) o).name.equals(name);
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }

        @Override
        public String toString() {
            return getClass().getSimpleName() + "[" + name + "]";
        }
    }

    /** JAAS configuration: the realm {@value #REALM} here, every other realm as before. */
    private static final class RealmConfiguration extends Configuration {
        private final Configuration previous;

        RealmConfiguration(Configuration previous) {
            this.previous = previous;
        }

        @Override
        public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
            if (REALM.equals(name)) {
                return new AppConfigurationEntry[] {new AppConfigurationEntry(HawtioLogin.class.getName(),
                        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, Map.of())};
            }
            return previous == null ? null : previous.getAppConfigurationEntry(name);
        }
    }
}
