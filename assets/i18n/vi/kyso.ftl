# Kyso — tiếng Việt (ngôn ngữ mặc định)

app-name = Kyso — Ký số
app-tagline = Ký và kiểm tra văn bản điện tử bằng chứng thư số của Ban Cơ yếu Chính phủ

## Thiết bị ký số (tokens)
tokens-heading = Thiết bị ký số
tokens-module = Mô-đun PKCS#11: { $path }
tokens-module-source = nguồn: { $source }
tokens-module-loaded = đã nạp ({ $library })
tokens-module-failed = không nạp được: { $reason }
tokens-slot = Khe { $id }: { $description }
tokens-slot-empty = chưa cắm thiết bị
tokens-slot-error = không đọc được thiết bị: { $reason }
tokens-none = Không tìm thấy thiết bị ký số nào. Hãy cắm USB token và cài trình điều khiển (Bit4id, SafeNet, Viettel-CA, VNPT-CA…).
tokens-no-modules = Không tìm thấy mô-đun PKCS#11 nào. Hãy cài phần mềm của USB token hoặc chỉ đường dẫn bằng --module.
token-label = Nhãn
token-manufacturer = Nhà sản xuất
token-model = Mẫu
token-serial = Số sê-ri
token-pin = Trạng thái PIN
pin-ok = bình thường
pin-count-low = đã nhập sai PIN ít nhất một lần
pin-final-try = CHỈ CÒN MỘT LẦN THỬ — sai nữa thiết bị sẽ bị khoá
pin-locked = PIN ĐÃ BỊ KHOÁ
pin-to-be-changed = cần đổi PIN
pin-not-initialized = PIN chưa được khởi tạo
pin-pad = nhập PIN trên bàn phím của đầu đọc
source-explicit = chỉ định
source-environment = biến môi trường KYSO_PKCS11_MODULE
source-configured = cấu hình
source-well_known = vị trí cài đặt thông thường
source-p11kit = p11-kit

## Chứng thư số
certs-heading = Chứng thư số
certs-none = Không có chứng thư số nào trên thiết bị.
cert-subject = Chủ thể
cert-issuer = Tổ chức cấp
cert-serial = Số hiệu
cert-validity = Hiệu lực
cert-validity-range = từ { $from } đến { $to }
cert-key = Khoá
cert-key-usage = Mục đích khoá
cert-eku = Mục đích mở rộng
cert-policies = Chính sách
cert-token = Thiết bị
cert-id = Mã đối tượng (CKA_ID)
cert-private-key = Khoá bí mật
cert-private-key-yes = có
cert-private-key-no = không
cert-can-sign = Dùng để ký được
warn-expired = Chứng thư số đã hết hạn
warn-not_yet_valid = Chứng thư số chưa đến thời gian hiệu lực
warn-no_signing_key_usage = Chứng thư số không được phép dùng để ký
warn-is_ca = Đây là chứng thư của tổ chức cấp (CA), không dùng để ký văn bản
yes = có
no = không

## Lỗi
err-module-not-found = Không tìm thấy mô-đun PKCS#11: { $path }
err-module-not-absolute = Đường dẫn mô-đun phải là đường dẫn tuyệt đối: { $path }
err-module-32bit = Mô-đun { $path } là bản 32-bit, Kyso 64-bit không nạp được. Hãy cài bản 64-bit của trình điều khiển token.
err-module-load = Không nạp được mô-đun { $path }: { $reason }
err-module-init = Mô-đun { $path } không khởi động được: { $reason }
err-token-not-found = Không tìm thấy thiết bị ký số { $token }.
err-token-removed = Thiết bị ký số đã bị rút ra. Hãy cắm lại rồi thử lại.
err-pin-incorrect = Mã PIN không đúng.
err-pin-locked = Mã PIN đã bị khoá do nhập sai quá nhiều lần. Hãy liên hệ tổ chức cấp chứng thư để mở khoá.
err-pin-invalid = Mã PIN có độ dài hoặc ký tự không hợp lệ.
err-pin-required = Cần nhập mã PIN.
err-key-not-found = Không tìm thấy khoá bí mật của chứng thư số này trên thiết bị.
err-unsupported-key = Loại khoá không được hỗ trợ: { $detail }
err-pkcs11 = Lỗi thiết bị ký số ({ $function }: { $code }).
err-usage = Cách dùng không đúng: { $detail }
err-io = Lỗi đọc/ghi tệp { $path }: { $detail }

## Giao diện
gui-rescan = Quét lại
gui-scanning = Đang tìm thiết bị…
gui-language = Ngôn ngữ
gui-open-file = Tệp được mở: { $path }
gui-scan-failed = Lỗi khi tìm thiết bị ký số; sẽ thử lại.
lang-vi = Tiếng Việt
lang-en = English

## Ký
sign-done = Đã ký: { $input } → { $output }
err-cert-not-found = Không tìm thấy chứng thư số có khoá bí mật phù hợp để ký.
err-cert-ambiguous = Có nhiều chứng thư số có thể dùng để ký; hãy chọn bằng --cert: { $list }
err-password-required = Cần mật khẩu của tệp PKCS#12 (dùng --pin-stdin).
err-p12-password = Mật khẩu tệp PKCS#12 không đúng.
err-p12-invalid = Tệp PKCS#12 không dùng được: { $detail }
err-output-exists = Tệp kết quả đã tồn tại: { $path } (dùng --force để ghi đè).
err-same-file = Tệp kết quả phải khác tệp gốc.
err-pdf-encrypted = Tệp PDF được mã hoá; Kyso không ký tệp mã hoá. Hãy bỏ mã hoá trước khi ký.
err-pdf-malformed = Tệp PDF bị hỏng hoặc không đọc được: { $detail }
err-docmdp-forbids = Văn bản đã được chứng nhận và không cho phép thay đổi nào, kể cả thêm chữ ký.
err-certify-not-first = Chỉ chữ ký đầu tiên mới được chứng nhận văn bản.
err-field-not-empty = Trường "{ $field }" đã có và không phải trường chữ ký trống.
err-no-such-page = Không có trang { $page } (văn bản có { $count } trang).
err-signer = Không ký được: { $detail }

## Kiểm tra chữ ký
verify-file = Tệp: { $file }
verify-overall = Kết luận chung
verify-no-signature = Tệp không có chữ ký số nào.
verify-signature = Chữ ký
verify-signer = Người ký
verify-organization = Cơ quan, tổ chức
verify-issuer = Tổ chức cấp chứng thư
verify-signing-time = Thời điểm ký (theo người ký)
verify-timestamp = Dấu thời gian
verify-none = không có
verify-integrity = Toàn vẹn
verify-coverage = Phạm vi ký
verify-modifications = Thay đổi sau khi ký
verify-chain = Chuỗi chứng thư
verify-revocation = Tình trạng thu hồi
verify-verdict = Kết luận
verify-unsigned-field = Trường chữ ký chưa ký: { $field }
ind-total-passed = HỢP LỆ
ind-total-failed = KHÔNG HỢP LỆ
ind-indeterminate = CHƯA XÁC ĐỊNH
integrity-intact = nguyên vẹn
integrity-broken = ĐÃ BỊ THAY ĐỔI
integrity-unknown = không xác định
coverage-whole-file = toàn bộ tệp
coverage-whole-revision = toàn bộ phiên bản được ký (có nội dung thêm sau)
coverage-anomaly = BẤT THƯỜNG (chữ ký không bao phủ đúng văn bản)
modifications-none = không có
modifications-allowed = chỉ những thay đổi được phép (thêm chữ ký, trường ký)
modifications-disallowed = CÓ THAY ĐỔI KHÔNG ĐƯỢC PHÉP
chain-valid = hợp lệ, dẫn tới chứng thư gốc tin cậy
chain-no-chain-found = không dẫn tới chứng thư gốc tin cậy nào
chain-bad-signature = chữ ký trên chứng thư không hợp lệ
chain-not-ca = tổ chức cấp không phải CA
chain-out-of-validity = chứng thư hết hạn hoặc chưa có hiệu lực tại thời điểm kiểm tra
chain-unsupported-algorithm = một chữ ký trong chuỗi dùng thuật toán Kyso chưa kiểm tra được
chain-constraint-violation = một chứng thư trong chuỗi vi phạm ràng buộc (phần mở rộng bắt buộc lạ, độ dài đường dẫn)
revocation-good = chưa bị thu hồi
revocation-revoked = ĐÃ BỊ THU HỒI trước thời điểm ký
revocation-revoked-after-signing = bị thu hồi sau thời điểm ký
revocation-not-checked = chưa kiểm tra được
warn-revocation-not-checked = Chưa kiểm tra được tình trạng thu hồi của chứng thư số.
warn-byte-range-invalid = Vùng ký (/ByteRange) không hợp lệ.
warn-cms-invalid = Dữ liệu chữ ký (CMS) không hợp lệ.
warn-detached-with-econtent = Chữ ký tách rời lại chứa nội dung: sai định dạng.
warn-no-signing-certificate-attribute = Chữ ký không gắn với chứng thư (thiếu thuộc tính signing-certificate).
warn-signature-timestamp-invalid = Dấu thời gian của chữ ký không hợp lệ.
warn-sig-dict-not-indirect = Từ điển chữ ký không phải đối tượng gián tiếp.
warn-sig-dict-not-at-offset = Từ điển chữ ký nằm trong luồng đối tượng: sai định dạng.
warn-tstinfo-invalid = Dấu thời gian tài liệu không hợp lệ.

## Nhật ký
journal-recovered = Cảnh báo: nhật ký bị hỏng và đã được thay bằng nhật ký mới ({ $detail }).
journal-write-failed = Cảnh báo: không ghi được nhật ký hoạt động ({ $detail }). Kết quả ký/kiểm tra vẫn được giữ nguyên.
journal-intact = Nhật ký nguyên vẹn: chuỗi băm khớp ở mọi mục.
journal-broken = Nhật ký BỊ SỬA ĐỔI: chuỗi băm gãy tại mục #{ $id } ({ $kind }).
journal-break-edited = nội dung mục đã bị sửa
journal-break-deleted-or-inserted = có mục bị xoá hoặc chèn thêm
journal-action-sign = ký
journal-action-verify = kiểm tra

## Chữ ký hiển thị
sign-placed = Vị trí chữ ký: { $where }
err-image = Ảnh không dùng được (cần PNG): { $detail }
err-preset-missing = Thiếu thông tin cho mẫu chữ ký: { $option }
err-rect-off-page = Khung chữ ký nằm ngoài trang.

err-timestamp = Không lấy được dấu thời gian: { $detail }. Tệp chưa được ký.
warn-validated-at-timestamp-time = Chứng thư đã hết hạn nhưng dấu thời gian chứng minh chữ ký được tạo khi chứng thư còn hiệu lực.
warn-revocation-fetched-online = Tình trạng thu hồi được tra cứu trực tuyến (OCSP/CRL) khi kiểm tra; tệp không mang sẵn thông tin này.

extend-done = Đã nâng cấp chữ ký lên { $level }: { $output }
journal-action-extend = nâng cấp
err-cert-revoked = Chứng thư số đã bị thu hồi: không được ký.
err-revocation-unchecked = Chưa kiểm tra được tình trạng thu hồi của chứng thư số ({ $detail }). Hãy cung cấp CRL (--crl) hoặc xác nhận ký khi chưa kiểm tra được (--allow-unchecked).
warn-revocation-unchecked-signing = Cảnh báo: ký khi chưa kiểm tra được tình trạng thu hồi ({ $detail }).

## GUI: màn hình kiểm tra và ký
gui-tab-tokens = Thiết bị ký
gui-tab-verify = Kiểm tra chữ ký
gui-tab-sign = Ký số
gui-file = Tệp cần ký
gui-file-placeholder = Đường dẫn tệp (PDF, DOCX, XLSX, PPTX)
gui-check = Kiểm tra
gui-trust-anchors = Chứng thư gốc tin cậy (tệp PEM hoặc DER, cách nhau bằng dấu phẩy)
gui-extra-certs = Chứng thư trung gian bổ sung (tệp, cách nhau bằng dấu phẩy, không bắt buộc)
gui-drop-hint = Có thể kéo thả tệp PDF vào cửa sổ này.
gui-verifying = Đang kiểm tra chữ ký…
gui-no-file = Hãy chọn ít nhất một tệp trước.
gui-file-not-found = Không tìm thấy tệp: { $path }
gui-no-certificate-in = Không có chứng thư nào trong { $path }.
gui-task-failed = Thao tác gặp lỗi ngoài dự kiến; vui lòng thử lại.
gui-output = Tệp đã ký
gui-no-output = Hãy chọn nơi ghi tệp đã ký.
gui-certificate = Chứng thư số
gui-no-certificate = Hãy chọn một chứng thư số trước.
gui-role = Chữ ký hiển thị
gui-role-none = Không (ẩn)
gui-role-approver = Người có thẩm quyền
gui-role-issuer = Văn thư (đóng dấu)
gui-role-appendix = Phụ lục
gui-role-copy = Bản sao
gui-image-path = Ảnh chữ ký (PNG)
gui-seal-path = Ảnh con dấu (PNG)
gui-seal-mm = Đường kính dấu (mm)
gui-seal-mm-invalid = Đường kính dấu phải là số milimét dương.
gui-number = Số và ký hiệu
gui-date = Địa danh và ngày ban hành
gui-copy-form = Hình thức sao
gui-org = Cơ quan sao
gui-sign = Ký
gui-signing = Đang ký… làm theo yêu cầu của thiết bị ký (nếu có).
gui-signed = Đã ghi tệp đã ký: { $output }
gui-pin-for = Mã PIN của thiết bị { $token }
gui-pin-placeholder = Mã PIN
gui-pin-no-retry = Mã PIN sai sẽ không bao giờ được tự động thử lại.
gui-cancel = Hủy
err-anchor-not-found = Không tìm thấy dòng chữ "{ $text }" trên trang.
gui-allow-unchecked = Cho phép ký khi chưa kiểm tra được tình trạng thu hồi của chứng thư
gui-cert-unusable = Chứng thư số này không dùng để ký được (hết hạn, chưa hiệu lực hoặc không có quyền ký).
trust-empty = Chưa có chứng thư gốc tin cậy nào. Dùng: kyso-cli trust add TỆP.pem
trust-pinned = đã ghim
trust-not-found = Không có chứng thư gốc { $sha256 }.
trust-not-a-certificate = Tệp { $path } không chứa chứng thư số.
trust-pin-mismatch = Từ chối: chứng thư "{ $subject }" mang tên một CA gốc của Việt Nam nhưng dấu vân tay { $sha256 } không khớp với giá trị đã ghim.
trust-added = Đã thêm chứng thư gốc tin cậy: { $subject } ({ $sha256 })
trust-added-pinned = Đã thêm chứng thư gốc tin cậy (khớp giá trị ghim): { $subject } ({ $sha256 })
journal-action-trust = tin cậy

## OOXML (DOCX/XLSX/PPTX)
coverage-whole-package = toàn bộ gói tài liệu
err-ooxml-option = Tuỳ chọn { $option } chỉ dùng cho PDF; tệp Office (DOCX/XLSX/PPTX) không có hình thức hiển thị chữ ký.
err-ooxml-level = Tệp Office chỉ ký được ở mức B-B hoặc B-T (XAdES-T); mức { $level } chỉ dành cho PDF.
err-ooxml-malformed = Tệp Office (DOCX/XLSX/PPTX) bị hỏng hoặc không đọc được: { $detail }
err-ooxml-algorithm = Thuật toán ký này không dùng được cho tệp Office: { $detail }
warn-unsigned-metadata = Phần siêu dữ liệu không được ký (như Microsoft Office vẫn làm)
warn-weak-algorithm-sha1 = Chữ ký dùng SHA-1, thuật toán băm đã lỗi thời.
warn-duplicate-id = Hai phần tử trong chữ ký có cùng Id (dấu hiệu tấn công bọc chữ ký): lỗi định dạng.
warn-xml-malformed = Phần chữ ký không phải XML hợp lệ.
warn-not-an-xml-signature = Phần chữ ký không chứa chữ ký XML.
warn-signed-info-missing = Thiếu hoặc thừa phần SignedInfo.
warn-unsupported-canonicalization = Phương pháp chuẩn hoá XML không được hỗ trợ.
warn-unsupported-signature-method = Thuật toán chữ ký không được hỗ trợ.
warn-signature-value-missing = Thiếu giá trị chữ ký.
warn-no-references = Chữ ký không tham chiếu nội dung nào.
warn-unsupported-reference = Tham chiếu không được hỗ trợ.
warn-unsupported-transform = Phép biến đổi không được hỗ trợ.
warn-no-package-manifest = Chữ ký không liệt kê các phần của gói tài liệu.

## GUI: nhật ký hoạt động
gui-tab-journal = Nhật ký
gui-journal-all = Tất cả
gui-journal-reload = Tải lại
gui-journal-search = Tìm theo người ký, tệp, kết quả…
gui-journal-export-csv = Xuất CSV
gui-journal-export-json = Xuất JSON
gui-journal-exported = Đã xuất nhật ký ra { $path }
gui-journal-loading = Đang đọc nhật ký…
gui-journal-empty = Chưa có mục nào trong nhật ký.
gui-journal-count = { $n } mục
gui-journal-col-time = Thời gian
gui-journal-col-action = Thao tác
gui-journal-col-file = Tệp
gui-journal-col-signer = Người ký
gui-journal-col-outcome = Kết quả

## GUI: báo cáo kiểm tra
gui-report-html = Lưu báo cáo HTML
gui-report-json = Lưu báo cáo JSON
gui-report-saved = Đã lưu báo cáo: { $path }
gui-report-title = Báo cáo kiểm tra chữ ký số
gui-report-footer = Lập bởi Kyso { $version } lúc { $time } (UTC). Kết quả kiểm tra thực hiện trên máy tính của người dùng.

## GUI: mức chữ ký
gui-level = Mức chữ ký
gui-level-bb = B-B (theo giờ máy tính)
gui-level-bt = B-T (kèm dấu thời gian tin cậy)
gui-tsa = Máy chủ cấp dấu thời gian

## GUI: cài đặt
gui-tab-settings = Cài đặt
gui-settings-theme = Giao diện
gui-theme-light = Sáng
gui-theme-dark = Tối
gui-settings-modules = Mô-đun PKCS#11 bổ sung
gui-settings-modules-hint = Đường dẫn thư viện, cách nhau bằng dấu phẩy
gui-settings-save = Lưu cài đặt
gui-settings-saved = Đã lưu cài đặt vào { $path }
gui-settings-tsa-invalid = Địa chỉ máy chủ cấp dấu thời gian phải bắt đầu bằng http://
gui-settings-anchors = Chứng thư gốc tin cậy
gui-settings-no-anchors = Chưa nhập chứng thư gốc nào.
gui-settings-pinned = Khớp dấu vân tay của { $name }
gui-settings-anchors-hint = Nhập chứng thư gốc bằng lệnh: kyso-cli trust add TỆP.pem
gui-open-folder = Mở thư mục
gui-show-unusable = Hiện { $n } chứng thư không dùng để ký được
gui-add = Thêm
gui-browse = Chọn…
gui-browse-title = Chọn tệp cần ký
gui-browse-documents = Văn bản PDF và Office
gui-browse-image = Chọn ảnh PNG
gui-remove = Bỏ
gui-files-count = { $n } tệp; mỗi tệp đã ký được ghi bên cạnh tệp gốc (tên-tệp.signed.*).
gui-signing-progress = Đã xong { $done }/{ $total } tệp
gui-cancelled = Đã dừng trước khi ký tệp tiếp theo.
gui-file-waiting = { $file }: chờ ký
gui-file-signing = { $file }: đang ký…
gui-file-signed = { $file }: đã ký → { $output }
gui-file-failed = { $file }: không ký được — { $detail }
gui-file-skipped = { $file }: chưa ký (đã dừng)
gui-preview = Vị trí chữ ký trên trang
gui-preview-loading = Đang dựng trang…
gui-preview-many = Khi ký nhiều tệp, vị trí được đặt tự động trên từng tệp theo mẫu của Nghị định 30/2020.
gui-preview-none = Chọn một tệp PDF để xem trang và vị trí chữ ký.
gui-preview-page = Trang { $page }/{ $pages }
gui-preview-auto = Vị trí tự động
gui-preview-proposed = Khung xanh dương: vị trí đề xuất theo mẫu của Nghị định 30/2020.
gui-preview-auto-on = Vị trí đề xuất nằm ở trang { $page }.
gui-preview-chosen = Khung xanh lá: vị trí bạn đã chọn.
gui-preview-chosen-on = Vị trí bạn đã chọn nằm ở trang { $page }.
gui-preview-click = Bấm vào trang để đặt chữ ký tại đó.
gui-preview-failed = Không dựng được trang để xem trước ({ $detail }); chữ ký vẫn được đặt tự động.
