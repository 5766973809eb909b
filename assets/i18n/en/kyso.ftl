# Kyso — English

app-name = Kyso — Digital signing
app-tagline = Sign and check electronic documents with Vietnamese Government CA certificates

## Tokens
tokens-heading = Signing tokens
tokens-module = PKCS#11 module: { $path }
tokens-module-source = source: { $source }
tokens-module-loaded = loaded ({ $library })
tokens-module-failed = failed to load: { $reason }
tokens-slot = Slot { $id }: { $description }
tokens-slot-empty = no token inserted
tokens-slot-error = cannot read the token: { $reason }
tokens-none = No signing token found. Plug in the USB token and install its driver (Bit4id, SafeNet, Viettel-CA, VNPT-CA…).
tokens-no-modules = No PKCS#11 module found. Install your token's software or give its path with --module.
token-label = Label
token-manufacturer = Manufacturer
token-model = Model
token-serial = Serial number
token-pin = PIN state
pin-ok = normal
pin-count-low = a wrong PIN was entered at least once
pin-final-try = ONE TRY LEFT — another wrong PIN locks the token
pin-locked = PIN LOCKED
pin-to-be-changed = PIN must be changed
pin-not-initialized = PIN not initialised
pin-pad = enter the PIN on the reader's PIN pad
source-explicit = given
source-environment = KYSO_PKCS11_MODULE environment variable
source-configured = settings
source-well_known = usual install location
source-p11kit = p11-kit

## Certificates
certs-heading = Certificates
certs-none = No certificates on the token.
cert-subject = Subject
cert-issuer = Issuer
cert-serial = Serial
cert-validity = Validity
cert-validity-range = from { $from } to { $to }
cert-key = Key
cert-key-usage = Key usage
cert-eku = Extended key usage
cert-policies = Policies
cert-token = Token
cert-id = Object ID (CKA_ID)
cert-private-key = Private key
cert-private-key-yes = yes
cert-private-key-no = no
cert-can-sign = Can sign
warn-expired = The certificate has expired
warn-not_yet_valid = The certificate is not valid yet
warn-no_signing_key_usage = The certificate may not be used for signing
warn-is_ca = This is a CA certificate, not for signing documents
yes = yes
no = no

## Errors
err-module-not-found = PKCS#11 module not found: { $path }
err-module-not-absolute = The module path must be absolute: { $path }
err-module-32bit = Module { $path } is 32-bit and 64-bit Kyso cannot load it. Install the 64-bit version of the token driver.
err-module-load = Cannot load module { $path }: { $reason }
err-module-init = Module { $path } failed to start: { $reason }
err-token-not-found = No token matches { $token }.
err-token-removed = The token was removed. Plug it in again and retry.
err-pin-incorrect = Wrong PIN.
err-pin-locked = The PIN is locked after too many wrong attempts. Contact the certificate issuer to unlock it.
err-pin-invalid = The PIN has an invalid length or characters.
err-pin-required = A PIN is required.
err-key-not-found = The private key of this certificate is not on the token.
err-unsupported-key = Unsupported key type: { $detail }
err-pkcs11 = Token error ({ $function }: { $code }).
err-usage = Wrong usage: { $detail }
err-io = Cannot read/write { $path }: { $detail }

## GUI
gui-rescan = Rescan
gui-scanning = Looking for tokens…
gui-language = Language
gui-open-file = File opened: { $path }
gui-scan-failed = Looking for tokens failed; retrying.
lang-vi = Tiếng Việt
lang-en = English

## Signing
sign-done = Signed: { $input } → { $output }
err-cert-not-found = No certificate with a private key that can sign was found.
err-cert-ambiguous = Several certificates can sign; choose one with --cert: { $list }
err-password-required = The PKCS#12 password is required (use --pin-stdin).
err-p12-password = Wrong PKCS#12 password.
err-p12-invalid = The PKCS#12 file cannot be used: { $detail }
err-output-exists = The output file exists: { $path } (use --force to overwrite).
err-same-file = The output must differ from the input.
err-pdf-encrypted = The PDF is encrypted; Kyso does not sign encrypted files. Remove the encryption first.
err-pdf-malformed = The PDF is damaged or unreadable: { $detail }
err-docmdp-forbids = The document is certified and allows no change, not even another signature.
err-certify-not-first = Only the first signature can certify a document.
err-field-not-empty = Field "{ $field }" exists and is not an empty signature field.
err-no-such-page = There is no page { $page } (the document has { $count }).
err-signer = Signing failed: { $detail }

## Verification
verify-file = File: { $file }
verify-overall = Overall
verify-no-signature = The file has no digital signature.
verify-signature = Signature
verify-signer = Signer
verify-organization = Organisation
verify-issuer = Certificate issuer
verify-signing-time = Signing time (claimed)
verify-timestamp = Timestamp
verify-none = none
verify-integrity = Integrity
verify-coverage = Coverage
verify-modifications = Changes after signing
verify-chain = Certificate chain
verify-revocation = Revocation
verify-verdict = Verdict
verify-unsigned-field = Unsigned signature field: { $field }
ind-total-passed = VALID
ind-total-failed = INVALID
ind-indeterminate = INDETERMINATE
integrity-intact = intact
integrity-broken = ALTERED
integrity-unknown = unknown
coverage-whole-file = the whole file
coverage-whole-revision = the whole signed revision (content was added later)
coverage-anomaly = ANOMALY (the signature does not cover the document properly)
modifications-none = none
modifications-allowed = only allowed changes (signatures, signature fields)
modifications-disallowed = DISALLOWED CHANGES
chain-valid = valid, up to a trusted root
chain-no-chain-found = no path to a trusted root
chain-bad-signature = a certificate signature is invalid
chain-not-ca = an issuer is not a CA
chain-out-of-validity = a certificate is expired or not yet valid at the validation time
chain-unsupported-algorithm = a signature in the chain uses an algorithm Kyso cannot check
chain-constraint-violation = a certificate of the chain violates a constraint (unknown critical extension, path length)
revocation-good = not revoked
revocation-revoked = REVOKED before the signing time
revocation-revoked-after-signing = revoked after the signing time
revocation-not-checked = not checked
warn-revocation-not-checked = The certificate's revocation status could not be checked.
warn-byte-range-invalid = The signed byte range (/ByteRange) is invalid.
warn-cms-invalid = The signature data (CMS) is invalid.
warn-detached-with-econtent = A detached signature carries content: format failure.
warn-no-signing-certificate-attribute = The signature is not bound to its certificate (no signing-certificate attribute).
warn-signature-timestamp-invalid = The signature timestamp is invalid.
warn-sig-dict-not-indirect = The signature dictionary is not an indirect object.
warn-sig-dict-not-at-offset = The signature dictionary sits in an object stream: format failure.
warn-tstinfo-invalid = The document timestamp is invalid.

## Journal
journal-recovered = Warning: the journal was damaged and a new one was started ({ $detail }).
journal-write-failed = Warning: the activity journal could not be written ({ $detail }). The signing/verification result itself is kept.
journal-intact = The journal is intact: the hash chain holds at every entry.
journal-broken = The journal WAS ALTERED: the hash chain breaks at entry #{ $id } ({ $kind }).
journal-break-edited = an entry's content was edited
journal-break-deleted-or-inserted = an entry was deleted or inserted
journal-action-sign = sign
journal-action-verify = verify

## Visible signatures
sign-placed = Signature placed: { $where }
err-image = The image cannot be used (PNG needed): { $detail }
err-preset-missing = Missing input for the signature preset: { $option }
err-rect-off-page = The signature rectangle is outside the page.

err-timestamp = The timestamp could not be obtained: { $detail }. The file was not signed.
warn-validated-at-timestamp-time = The certificate has expired, but the timestamp proves the signature was made while it was valid.
warn-revocation-fetched-online = Revocation status was looked up online (OCSP/CRL) while checking; the file does not carry it.

extend-done = Signatures upgraded to { $level }: { $output }
journal-action-extend = extend
err-cert-revoked = The certificate has been revoked: signing refused.
err-revocation-unchecked = The certificate's revocation status could not be checked ({ $detail }). Give a CRL (--crl) or confirm signing without the check (--allow-unchecked).
warn-revocation-unchecked-signing = Warning: signing without a revocation check ({ $detail }).

## GUI: verification and signing screens
gui-tab-tokens = Tokens
gui-tab-verify = Verify
gui-tab-sign = Sign
gui-file = Files to sign
gui-file-placeholder = Path of a file (PDF, DOCX, XLSX, PPTX)
gui-check = Check
gui-trust-anchors = Trusted root certificates (PEM or DER files, comma separated)
gui-extra-certs = Extra intermediate certificates (files, comma separated, optional)
gui-drop-hint = You can also drop a PDF file onto this window.
gui-verifying = Checking the signatures…
gui-no-file = Choose at least one file first.
gui-file-not-found = File not found: { $path }
gui-no-certificate-in = No certificate in { $path }.
gui-task-failed = The operation failed unexpectedly; please try again.
gui-output = Signed file
gui-no-output = Choose where to write the signed file.
gui-certificate = Certificate
gui-no-certificate = Choose a certificate first.
gui-role = Visible signature
gui-role-none = None (invisible)
gui-role-approver = Approver
gui-role-issuer = Issuer (seal)
gui-role-appendix = Appendix
gui-role-copy = Copy
gui-image-path = Signature image (PNG)
gui-seal-path = Seal image (PNG)
gui-seal-mm = Seal diameter (mm)
gui-seal-mm-invalid = The seal diameter must be a positive number of millimetres.
gui-number = Number and symbol
gui-date = Place and date of issue
gui-copy-form = Copy form
gui-org = Copying organisation
gui-sign = Sign
gui-signing = Signing… follow any prompt of the token.
gui-signed = Signed file written: { $output }
gui-pin-for = PIN of token { $token }
gui-pin-placeholder = PIN
gui-pin-no-retry = A wrong PIN is never retried automatically.
gui-cancel = Cancel
err-anchor-not-found = The text "{ $text }" was not found on the page.
gui-allow-unchecked = Allow signing when the certificate revocation cannot be checked
gui-cert-unusable = This certificate cannot sign (expired, not yet valid or not for signing).
trust-empty = No trust anchors yet. Use: kyso-cli trust add FILE.pem
trust-pinned = pinned
trust-not-found = No trust anchor { $sha256 }.
trust-not-a-certificate = { $path } holds no certificate.
trust-pin-mismatch = Refused: "{ $subject }" carries the name of a Vietnamese root CA but its fingerprint { $sha256 } does not match the pin.
trust-added = Trust anchor added: { $subject } ({ $sha256 })
trust-added-pinned = Trust anchor added (matches the pin): { $subject } ({ $sha256 })
journal-action-trust = trust

## OOXML (DOCX/XLSX/PPTX)
coverage-whole-package = the whole package
err-ooxml-option = The option { $option } applies to PDF only; Office files (DOCX/XLSX/PPTX) have no visible signature appearance.
err-ooxml-level = Office files can be signed at B-B or B-T (XAdES-T) only; level { $level } is for PDF.
err-ooxml-malformed = The Office file (DOCX/XLSX/PPTX) is damaged or unreadable: { $detail }
err-ooxml-algorithm = This signing algorithm cannot be used for Office files: { $detail }
warn-unsigned-metadata = Metadata part not signed (as Microsoft Office also leaves it)
warn-weak-algorithm-sha1 = The signature uses SHA-1, an obsolete hash algorithm.
warn-duplicate-id = Two elements of the signature share an Id (a signature-wrapping sign): format failure.
warn-xml-malformed = The signature part is not well-formed XML.
warn-not-an-xml-signature = The signature part holds no XML signature.
warn-signed-info-missing = SignedInfo is missing or repeated.
warn-unsupported-canonicalization = Unsupported XML canonicalisation method.
warn-unsupported-signature-method = Unsupported signature algorithm.
warn-signature-value-missing = The signature value is missing.
warn-no-references = The signature references nothing.
warn-unsupported-reference = Unsupported reference.
warn-unsupported-transform = Unsupported transform.
warn-no-package-manifest = The signature lists no part of the package.

## GUI: activity journal
gui-tab-journal = Journal
gui-journal-all = All
gui-journal-reload = Reload
gui-journal-search = Search signer, file, outcome…
gui-journal-export-csv = Export CSV
gui-journal-export-json = Export JSON
gui-journal-exported = Journal exported to { $path }
gui-journal-loading = Reading the journal…
gui-journal-empty = The journal has no entries yet.
gui-journal-count = { $n } entries
gui-journal-col-time = Time
gui-journal-col-action = Action
gui-journal-col-file = File
gui-journal-col-signer = Signer
gui-journal-col-outcome = Outcome

## GUI: verification reports
gui-report-html = Save HTML report
gui-report-json = Save JSON report
gui-report-saved = Report saved: { $path }
gui-report-title = Digital signature verification report
gui-report-footer = Produced by Kyso { $version } at { $time } (UTC). The check was made on the user's computer.

## GUI: signature level
gui-level = Signature level
gui-level-bb = B-B (computer clock)
gui-level-bt = B-T (with a trusted timestamp)
gui-tsa = Timestamp server

## GUI: settings
gui-tab-settings = Settings
gui-settings-theme = Theme
gui-theme-light = Light
gui-theme-dark = Dark
gui-settings-modules = Extra PKCS#11 modules
gui-settings-modules-hint = Library paths, separated by commas
gui-settings-save = Save settings
gui-settings-saved = Settings saved to { $path }
gui-settings-tsa-invalid = The timestamp server address must start with http://
gui-settings-anchors = Trusted root certificates
gui-settings-no-anchors = No root certificate imported yet.
gui-settings-pinned = Matches the fingerprint of { $name }
gui-settings-anchors-hint = Import a root certificate with: kyso-cli trust add FILE.pem
gui-open-folder = Open folder
gui-show-unusable = Show { $n } certificates that cannot sign
gui-add = Add
gui-browse = Choose…
gui-browse-title = Choose files to sign
gui-browse-documents = PDF and Office documents
gui-browse-image = Choose a PNG image
gui-remove = Remove
gui-files-count = { $n } files; each signed copy is written beside its original (name.signed.*).
gui-signing-progress = { $done } of { $total } files done
gui-cancelled = Stopped before signing the next file.
gui-file-waiting = { $file }: waiting
gui-file-signing = { $file }: signing…
gui-file-signed = { $file }: signed → { $output }
gui-file-failed = { $file }: not signed — { $detail }
gui-file-skipped = { $file }: not signed (stopped)
gui-preview = Signature position on the page
gui-preview-loading = Drawing the page…
gui-preview-many = With several files, the position is chosen automatically in each file following Decree 30/2020.
gui-preview-none = Choose one PDF file to see the page and the signature position.
gui-preview-page = Page { $page } of { $pages }
gui-preview-auto = Automatic position
gui-preview-proposed = Blue box: the position proposed by the Decree 30/2020 layout.
gui-preview-auto-on = The proposed position is on page { $page }.
gui-preview-chosen = Green box: the position you chose.
gui-preview-chosen-on = The position you chose is on page { $page }.
gui-preview-click = Click on the page to put the signature there.
gui-preview-failed = The page could not be drawn for preview ({ $detail }); the signature is still placed automatically.
