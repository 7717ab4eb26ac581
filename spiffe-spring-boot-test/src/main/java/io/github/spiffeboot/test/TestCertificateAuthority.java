package io.github.spiffeboot.test;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A SPIFFE trust domain's certificate authority for tests: a self-signed root whose URI SAN is the
 * trust domain's ID, issuing X.509-SVIDs as SPIRE does (and, through {@link SvidSpec}, certificates that
 * break the X509-SVID rules on purpose).
 */
public final class TestCertificateAuthority {

    private static final SecureRandom RANDOM = new SecureRandom();

    private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime() & 0xFFFFFFFFL);

    private final String trustDomain;

    private final KeyPair keyPair;

    private final X509Certificate certificate;

    /** This CA's certificate and those above it up to (not including) the root; empty for a root. */
    private final List<X509Certificate> intermediates;

    private final X509Certificate root;

    /** Shared with intermediates: a trust domain has one JWT bundle. */
    private final TestJwtAuthority jwt;

    private TestCertificateAuthority(String trustDomain, KeyPair keyPair, X509Certificate certificate) {
        this(trustDomain, keyPair, certificate, List.of(), certificate, new TestJwtAuthority(trustDomain));
    }

    private TestCertificateAuthority(String trustDomain, KeyPair keyPair, X509Certificate certificate,
            List<X509Certificate> intermediates, X509Certificate root, TestJwtAuthority jwt) {
        this.trustDomain = trustDomain;
        this.keyPair = keyPair;
        this.certificate = certificate;
        this.intermediates = intermediates;
        this.root = root;
        this.jwt = jwt;
    }

    /** A new root CA for {@code trustDomain} (for example {@code example.org}), valid for a day. */
    public static TestCertificateAuthority create(String trustDomain) {
        try {
            KeyPair keyPair = generate("EC");
            Instant now = Instant.now();
            X500Name name = new X500Name("O=SPIFFE test CA,CN=" + trustDomain);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, nextSerial(),
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), name, keyPair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + trustDomain)));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keyPair.getPublic()));
            return new TestCertificateAuthority(trustDomain, keyPair, sign(builder, keyPair));
        }
        catch (GeneralSecurityException | CertIOException ex) {
            throw new IllegalStateException("cannot create test CA for " + trustDomain, ex);
        }
    }

    /**
     * An intermediate CA signed by this one, valid from now until {@code notAfter}: SVIDs it issues carry
     * it in their chain, and the bundle stays this CA's root.
     */
    public TestCertificateAuthority intermediate(Instant notAfter) {
        try {
            KeyPair intermediateKeys = generate("EC");
            Instant now = Instant.now();
            X500Name name = new X500Name("O=SPIFFE test intermediate CA,CN=" + trustDomain + " " + nextSerial());
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, nextSerial(),
                    Date.from(now.minusSeconds(30)), Date.from(notAfter), name, intermediateKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + trustDomain)));
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    extensions.createAuthorityKeyIdentifier(certificate));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    extensions.createSubjectKeyIdentifier(intermediateKeys.getPublic()));
            X509Certificate intermediate = sign(builder, keyPair);
            List<X509Certificate> above = new ArrayList<>();
            above.add(intermediate);
            above.addAll(intermediates);
            return new TestCertificateAuthority(trustDomain, intermediateKeys, intermediate, List.copyOf(above), root,
                    jwt);
        }
        catch (GeneralSecurityException | CertIOException ex) {
            throw new IllegalStateException("cannot create intermediate CA for " + trustDomain, ex);
        }
    }

    /**
     * Loads a CA that {@link #writePem} stored, so that a second process (or a restarted one) issues
     * SVIDs that the same bundle verifies.
     */
    public static TestCertificateAuthority load(Path certificateFile, Path keyFile) throws IOException {
        try (InputStream in = Files.newInputStream(certificateFile)) {
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            String pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
            String base64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
            PrivateKey key = KeyFactory.getInstance(certificate.getPublicKey().getAlgorithm())
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
            String trustDomain = new TestSvid(List.of(certificate), null).spiffeId().getHost();
            return new TestCertificateAuthority(trustDomain, new KeyPair(certificate.getPublicKey(), key), certificate);
        }
        catch (GeneralSecurityException | IllegalArgumentException | IllegalStateException ex) {
            throw new IOException("cannot load a test CA from " + certificateFile + " and " + keyFile, ex);
        }
    }

    /**
     * Writes the root certificate and its private key as PEM files (the key readable by its owner only), for
     * {@link #load}.
     */
    public void writePem(Path certificateFile, Path keyFile) throws IOException {
        Files.deleteIfExists(keyFile);
        Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        new TestSvid(List.of(certificate), keyPair.getPrivate()).writePem(certificateFile, keyFile);
    }

    public String trustDomain() {
        return trustDomain;
    }

    /** The trust domain's JWT signing keys and JWT bundle. */
    public TestJwtAuthority jwt() {
        return jwt;
    }

    /** A JWT-SVID for {@code spiffeId} and these audiences, valid for {@code ttl}. */
    public String issueJwtSvid(String spiffeId, Duration ttl, String... audiences) {
        return jwt.issue(spiffeId, ttl, audiences);
    }

    /** The root certificate: this trust domain's X.509 bundle. */
    public X509Certificate certificate() {
        return root;
    }

    /** The bundle as a list, as the Workload API delivers it. */
    public List<X509Certificate> bundle() {
        return List.of(root);
    }

    /** A conformant SVID for {@code spiffeId}, valid for {@code ttl}. */
    public TestSvid issue(String spiffeId, Duration ttl) {
        return issue(SvidSpec.forId(spiffeId).ttl(ttl));
    }

    /** A leaf as {@code spec} describes it, signed by this CA. */
    public TestSvid issue(SvidSpec spec) {
        try {
            KeyPair leafKeys = generate(spec.keyAlgorithm);
            Instant now = Instant.now();
            Instant notBefore = (spec.notBefore != null) ? spec.notBefore : now.minusSeconds(30);
            Instant notAfter = (spec.notAfter != null) ? spec.notAfter : now.plus(spec.ttl);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, nextSerial(),
                    Date.from(notBefore), Date.from(notAfter), new X500Name("O=SPIRE,C=US"), leafKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(spec.ca));
            if (spec.keyUsagePresent) {
                int usage = (spec.digitalSignature ? KeyUsage.digitalSignature : 0)
                        | (spec.keyCertSign ? KeyUsage.keyCertSign : 0) | (spec.crlSign ? KeyUsage.cRLSign : 0)
                        | ("RSA".equals(spec.keyAlgorithm) ? KeyUsage.keyEncipherment : 0);
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
            }
            if (!spec.extendedKeyUsages.isEmpty()) {
                builder.addExtension(Extension.extendedKeyUsage, false, extendedKeyUsage(spec.extendedKeyUsages));
            }
            if (!spec.uris.isEmpty() || !spec.dnsNames.isEmpty()) {
                List<GeneralName> names = new ArrayList<>();
                spec.uris.forEach(uri -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
                spec.dnsNames.forEach(name -> names.add(new GeneralName(GeneralName.dNSName, name)));
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    extensions.createAuthorityKeyIdentifier(certificate));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    extensions.createSubjectKeyIdentifier(leafKeys.getPublic()));
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(sign(builder, keyPair));
            chain.addAll(intermediates);
            return new TestSvid(List.copyOf(chain), leafKeys.getPrivate());
        }
        catch (GeneralSecurityException | CertIOException ex) {
            throw new IllegalStateException("cannot issue test SVID", ex);
        }
    }

    private static ExtendedKeyUsage extendedKeyUsage(List<String> names) {
        List<KeyPurposeId> purposes = new ArrayList<>();
        for (String name : names) {
            purposes.add(switch (name) {
                case "serverAuth" -> KeyPurposeId.id_kp_serverAuth;
                case "clientAuth" -> KeyPurposeId.id_kp_clientAuth;
                case "codeSigning" -> KeyPurposeId.id_kp_codeSigning;
                default -> throw new IllegalArgumentException("unknown extended key usage " + name);
            });
        }
        return new ExtendedKeyUsage(purposes.toArray(new KeyPurposeId[0]));
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws GeneralSecurityException {
        String algorithm = "EC".equals(signer.getPrivate().getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(algorithm).build(signer.getPrivate())));
        }
        catch (OperatorCreationException ex) {
            throw new GeneralSecurityException(ex);
        }
    }

    private static KeyPair generate(String algorithm) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if ("EC".equals(algorithm)) {
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        }
        else {
            generator.initialize(2048, RANDOM);
        }
        return generator.generateKeyPair();
    }

    private static BigInteger nextSerial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet()).shiftLeft(16).or(BigInteger.valueOf(RANDOM.nextInt(1 << 16)));
    }
}
