package souvenir

// NotoSans returns the embedded regular and bold TTF bytes, for other PDFs
// (a case summary) that need Vietnamese text. They are fresh copies: the
// caller may keep or change them.
func NotoSans() (regular, bold []byte) {
	return []byte(notoRegular), []byte(notoBold)
}
