package testsupport;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * NAME
 *   TinyDns - a tiny authoritative DNS server on 127.0.0.1 for tests
 * SYNOPSIS
 *   try (TinyDns dns = TinyDns.start()) {
 *       dns.a("2.0.0.127.zen.test", "127.0.0.2").txt("2.0.0.127.zen.test", "listed");
 *       ... dns_servers = dns.server() ...
 *   }
 * DESCRIPTION
 *   Answers UDP queries on a random free loopback port from a map of A, AAAA, TXT, MX and
 *   PTR records (TTL 60; {@link #ptr} takes the address, {@link #reverse} gives its
 *   in-addr.arpa or ip6.arpa name for servfail and silent), parsed and built with dnsjava's Message classes. A name without
 *   records is NXDOMAIN; a name with records of other types only is NOERROR without answers.
 *   {@link #servfail} names get SERVFAIL; {@link #silent} names, or every name after
 *   {@code silent(null)}, get no answer at all (a timeout). Every question is recorded as
 *   {@code name/TYPE} (absolute, lower case) for tests that count queries.
 */
public final class TinyDns implements AutoCloseable {
    private final DatagramSocket socket;
    private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
    private final Set<Name> servfail = ConcurrentHashMap.newKeySet();
    private final Set<Name> silent = ConcurrentHashMap.newKeySet();
    private volatile boolean allSilent;
    private final List<String> questions = new ArrayList<>();

    private TinyDns() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        Thread t = new Thread(this::serve, "tiny-dns-" + socket.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    public static TinyDns start() throws IOException {
        return new TinyDns();
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** The server as dns_servers names it: {@code 127.0.0.1:port}. */
    public String server() {
        return "127.0.0.1:" + port();
    }

    public TinyDns a(String name, String... addresses) throws IOException {
        for (String a : addresses) {
            add(new ARecord(name(name), DClass.IN, 60, InetAddress.getByName(a)));
        }
        return this;
    }

    public TinyDns aaaa(String name, String address) throws IOException {
        add(new AAAARecord(name(name), DClass.IN, 60, InetAddress.getByName(address)));
        return this;
    }

    public TinyDns txt(String name, String text) throws IOException {
        add(new TXTRecord(name(name), DClass.IN, 60, text));
        return this;
    }

    public TinyDns mx(String name, int preference, String target) throws IOException {
        add(new MXRecord(name(name), DClass.IN, 60, preference, name(target)));
        return this;
    }

    /** A PTR record for the address (IPv4 or IPv6): {@code ptr("192.0.2.1", "mail.example.test")}. */
    public TinyDns ptr(String address, String hostname) throws IOException {
        add(new PTRRecord(ReverseMap.fromAddress(InetAddress.getByName(address)), DClass.IN, 60, name(hostname)));
        return this;
    }

    /** The address's reverse name, {@code 1.2.0.192.in-addr.arpa.}, for {@link #servfail} and {@link #silent}. */
    public static String reverse(String address) throws IOException {
        return ReverseMap.fromAddress(InetAddress.getByName(address)).toString();
    }

    public TinyDns servfail(String name) throws IOException {
        servfail.add(name(name));
        return this;
    }

    /** Never answers questions about {@code name}; {@code null}: never answers at all. */
    public TinyDns silent(String name) throws IOException {
        if (name == null) {
            allSilent = true;
        } else {
            silent.add(name(name));
        }
        return this;
    }

    /** The questions received so far, as {@code name/TYPE} with the name absolute and lower case. */
    public List<String> questions() {
        synchronized (questions) {
            return List.copyOf(questions);
        }
    }

    /** How many questions were asked about this name (any type). */
    public long asked(String name) throws IOException {
        String prefix = name(name).toString().toLowerCase() + "/";
        return questions().stream().filter(q -> q.startsWith(prefix)).count();
    }

    private void add(Record r) {
        records.computeIfAbsent(r.getName(), k -> new ArrayList<>()).add(r);
    }

    private static Name name(String s) throws IOException {
        return Name.fromString(s, Name.root);
    }

    private void serve() {
        byte[] buf = new byte[4096];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                byte[] answer = answer(new Message(Arrays.copyOf(p.getData(), p.getLength())));
                if (answer != null) {
                    socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                }
            } catch (IOException e) {
                // closed, or a query that does not parse: no answer
            }
        }
    }

    private byte[] answer(Message query) {
        Record q = query.getQuestion();
        synchronized (questions) {
            questions.add(q.getName().toString().toLowerCase() + "/" + Type.string(q.getType()));
        }
        if (allSilent || silent.contains(q.getName())) {
            return null;
        }
        Message m = new Message(query.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) {
            m.getHeader().setFlag(Flags.RD);
            m.getHeader().setFlag(Flags.RA);
        }
        m.addRecord(q, Section.QUESTION);
        List<Record> rrs = records.get(q.getName());
        if (servfail.contains(q.getName())) {
            m.getHeader().setRcode(Rcode.SERVFAIL);
        } else if (rrs == null) {
            m.getHeader().setRcode(Rcode.NXDOMAIN);
        } else {
            for (Record r : rrs) {
                if (r.getType() == q.getType()) {
                    m.addRecord(r, Section.ANSWER);
                }
            }
        }
        return m.toWire();
    }

    @Override
    public void close() {
        socket.close();
    }
}
