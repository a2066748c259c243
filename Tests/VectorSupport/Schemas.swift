// The schemas of the files under vectors/alipay and vectors/alipay-sdk (written by vectors/alipay/generate.py and
// by hand from the Node SDK's tests). Member names follow the files.

/// `alipay/keys.json`: what each key file holds, and the files that must be refused.
public struct KeyIndex: Decodable, Sendable {
    public struct Entry: Decodable, Sendable {
        public let kind: String
        public let format: String
        public let encoding: String
        public let bits: Int
        public let fingerprint: String
    }
    public struct Refusal: Decodable, Sendable {
        public let `as`: String
        public let code: String
    }
    public let keys: [String: Entry]
    public let refused: [String: Refusal]
}

/// `alipay/content.json`: canonical content cases and form bodies.
public struct ContentFile: Decodable, Sendable {
    public struct Case: Decodable, Sendable {
        public let name: String
        public let mode: String
        public let parameters: [String: String]
        public let content: String
    }
    public struct Form: Decodable, Sendable {
        public let name: String
        public let charset: String
        public let body: String
        public let parameters: [String: String]
        public let request_content: String
    }
    public let content: [Case]
    public let forms: [Form]
}

/// `alipay/signatures.json`: signatures over a content in a charset with a sign type.
public struct SignatureFile: Decodable, Sendable {
    public struct Case: Decodable, Sendable {
        public let key: String
        public let `public`: String
        public let bits: Int
        public let sign_type: String
        public let charset: String
        public let content: String
        public let content_hex: String
        public let signature: String
        public let parameters: [String: String]?
    }
    public let cases: [Case]
}

/// `alipay/notifications.json`: notification bodies and their verdicts.
public struct NotificationFile: Decodable, Sendable {
    public struct Case: Decodable, Sendable {
        public let name: String
        public let body: String
        public let charset: String
        public let sign_type: String
        public let `public`: String
        public let valid: Bool
        public let mode: String?
        public let signed_content: String
    }
    public let cases: [Case]
}

/// `alipay-sdk/node-sdk-notifications.json`: real Alipay-signed notifications.
public struct NodeSDKNotificationFile: Decodable, Sendable {
    public struct Case: Decodable, Sendable {
        public let name: String
        public let `public`: String
        public let parameters: [String: String]
        public let body: String
        public let valid: Bool
        public let mode: String?
    }
    public let cases: [Case]
}

/// `certificates/certificates.json` (written by vectors/certificates/generate.py): per-certificate issuer
/// strings, serials and SNs from the JDK (or openssl where the JDK cannot parse), root SNs, chain verdicts.
public struct CertificateVectors: Decodable, Sendable {
    public struct Certificate: Decodable, Sendable {
        public let file: String
        public let index: Int
        public let sig_alg_oid: String
        public let issuer: String
        public let serial: String
        public let sn: String
        public let source: String
        public let note: String?
    }
    public struct Bundle: Decodable, Sendable {
        public let file: String
        public let rsa: String
        public let sm2: String
        public let certificates: Int
    }
    public struct Trust: Decodable, Sendable, CustomStringConvertible {
        public let candidate: String
        public let roots: String
        public let at: String
        public let expected: String
        public let note: String
        public var description: String { "\(candidate) under \(roots) at \(at): \(note)" }
    }
    public struct Request: Decodable, Sendable {
        public let app_cert: String
        public let root_cert: String
        public let key: String
        public let parameters: [String: String]
        public let app_cert_sn: String
        public let alipay_root_cert_sn: String
        public let content: String
        public let signature: String
    }
    public let certificates: [Certificate]
    public let root_sns: [Bundle]
    public let trust: [Trust]
    public let requests: [Request]
}

/// `responses/responses.json` (written by vectors/responses/generate.py): gateway responses signed by Python
/// `cryptography` over the Java SDK's raw-substring slice, with the Java policy's verdict; AES known answers.
public struct ResponseVectors: Decodable, Sendable {
    public struct Response: Decodable, Sendable, CustomStringConvertible {
        public let name: String
        public let method: String
        public let format: String
        public let charset: String
        public let body_b64: String
        public let error: String?
        public let content: String?
        public let sign: String?
        public let alipay_cert_sn: String?
        public let node: String?
        public let java_status: String?
        public let expected: String?
        public let expected_note: String?
        public let aes_key: String?
        public let plaintext: String?
        public let python_sdk: String?
        public let python_sdk_agrees: Bool?
        public var description: String { name }
    }
    public struct AES: Decodable, Sendable {
        public let key: String
        public let plaintext: String
        public let charset: String
        public let ciphertext: String
    }
    public struct EncryptedRequest: Decodable, Sendable {
        public let aes_key: String
        public let charset: String
        public let parameters: [String: String]
        public let encrypted_biz_content: String
        public let content: String
        public let signature: String
    }
    public let public_key: String
    public let responses: [Response]
    public let aes: [AES]
    public let encrypted_requests: [EncryptedRequest]
}

/// `v3/v3.json` (written by vectors/v3/generate.py): v3 requests and responses signed by Python `cryptography`.
public struct V3Vectors: Decodable, Sendable {
    public struct Request: Decodable, Sendable, CustomStringConvertible {
        public let name: String
        public let method: String
        public let uri: String
        public let body: String
        public let app_auth_token: String?
        public let auth_string: String
        public let content: String
        public let signature: String
        public let authorization: String
        public let expected: String
        public let nonce: String
        public let timestamp: String
        public let app_cert_sn: String?
        public let extra: [[String]]
        public let plain_body: String?
        public let diagnosis_line: Int?
        public var description: String { name }
    }
    public struct Response: Decodable, Sendable, CustomStringConvertible {
        public let name: String
        public let status: Int
        public let timestamp: String
        public let nonce: String
        public let signature: String?
        public let sn: String?
        public let body: String
        public let encrypted: Bool
        public let plaintext: String?
        public let content: String?
        public let expected: String
        public var description: String { name }
    }
    public let app_public_key: String
    public let alipay_public_key: String
    public let alipay_certificate: String
    public let alipay_certificate_sn: String
    public let aes_key: String
    public let requests: [Request]
    public let responses: [Response]
}

/// `captures/expected.json` (written by vectors/captures/generate.py): per exchange of the capture files, its kind
/// and the ids of the error and warning findings it must raise (known by construction).
public struct CaptureExpectations: Decodable, Sendable {
    public struct Exchange: Decodable, Sendable {
        public let kind: String
        public let findings: [String]
    }
    public let app_public_key: String
    public let alipay_public_key: String
    public let exchanges: [Exchange]
}

/// vectors/rotation/downloads.json (make_vectors.py): certificate download responses, and a response signed with the
/// downloaded certificate's key.
public struct RotationVectors: Decodable, Sendable {
    public struct Case: Decodable, Sendable {
        public let name: String
        public let response: String
        public let roots: String
        public let at: String
        public let expected: String
        public let sn: String?
    }
    public struct After: Decodable, Sendable {
        public let method: String
        public let body: String
    }
    public let cases: [Case]
    public let after_rotation: After
}

/// vectors/sm2/sm2.json (make_vectors.py): BouncyCastle and gmssl signatures, artefacts signed SM2, SM2 chains.
public struct SM2Vectors: Decodable, Sendable {
    public struct Case: Decodable, Sendable {
        public let name: String
        public let charset: String
        public let content: String
        public let bouncycastle: String
        public let gmssl: String
    }
    public struct Chain: Decodable, Sendable {
        public let candidate: String
        public let roots: String
        public let at: String
        public let expected: String
    }
    public struct Artefacts: Decodable, Sendable {
        public let request: [String: String]
    }
    public let private_key: String
    public let public_key: String
    public let cases: [Case]
    public let chains: [Chain]
    public let artefacts: Artefacts
}
