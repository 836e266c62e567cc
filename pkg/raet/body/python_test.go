package body

import (
	"bytes"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"testing"
)

// pythonCases were produced once, by hand, by running Python 3.11 (stdlib
// json) and msgpack-python 1.0.3 on the same values
// (json.dumps(v, separators=(',', ':')) and msgpack.dumps(v).hex()); the
// generator is not part of the repository, and Python is not needed to run
// the tests. "!error" means json.dumps raised TypeError. Outputs longer than
// 200 bytes are given as "sha:<sha256 of the output>:<its first bytes>".
var pythonCases = []struct {
	name    string
	v       any
	json    string
	msgpack string
}{
	{"float 0.1", float64(0.1), `0.1`, "cb3fb999999999999a"},
	{"float 1.0", float64(1.0), `1.0`, "cb3ff0000000000000"},
	{"float -0.0", float64(math.Copysign(0, -1)), `-0.0`, "cb8000000000000000"},
	{"float 1e16", float64(1e16), `1e+16`, "cb4341c37937e08000"},
	{"float 1e15", float64(1e15), `1000000000000000.0`, "cb430c6bf526340000"},
	{"float 123456789012345678.0", float64(123456789012345678.0), `1.2345678901234568e+17`, "cb437b69b4ba630f35"},
	{"float 1e-4", float64(1e-4), `0.0001`, "cb3f1a36e2eb1c432d"},
	{"float 1e-5", float64(1e-5), `1e-05`, "cb3ee4f8b588e368f1"},
	{"float 1.5e300", float64(1.5e300), `1.5e+300`, "cb7e41eb2d66005835"},
	{"float 5e-324", float64(5e-324), `5e-324`, "cb0000000000000001"},
	{"float 2.5", float64(2.5), `2.5`, "cb4004000000000000"},
	{"float 1e22", float64(1e22), `1e+22`, "cb4480f0cf064dd592"},
	{"float 1.7976931348623157e308", float64(math.MaxFloat64), `1.7976931348623157e+308`, "cb7fefffffffffffff"},
	{"float 0.1+0.2", float64(0.30000000000000004), `0.30000000000000004`, "cb3fd3333333333334"},
	{"float 1e-7", float64(1e-7), `1e-07`, "cb3e7ad7f29abcaf48"},
	{"float 123.456", float64(123.456), `123.456`, "cb405edd2f1a9fbe77"},
	{"float 9007199254740993.0", float64(9007199254740993.0), `9007199254740992.0`, "cb4340000000000000"},
	{"float 9999999999999998.0", float64(9999999999999998.0), `9999999999999998.0`, "cb4341c37937e07fff"},
	{"float 12345678901234567.0", float64(12345678901234567.0), `1.2345678901234568e+16`, "cb4345ee2a2eb5a5c4"},
	{"float -1.5e-10", float64(-1.5e-10), `-1.5e-10`, "cbbde49da7e361ce4c"},
	{"float 100.0", float64(100.0), `100.0`, "cb4059000000000000"},
	{"float 0.001", float64(0.001), `0.001`, "cb3f50624dd2f1a9fc"},
	{"float 3.25", float64(3.25), `3.25`, "cb400a000000000000"},
	{"float 2.2250738585072014e-308", float64(2.2250738585072014e-308), `2.2250738585072014e-308`, "cb0010000000000000"},
	{"float 1e+100", float64(1e100), `1e+100`, "cb54b249ad2594c37d"},
	{"float -123456.789", float64(-123456.789), `-123456.789`, "cbc0fe240c9fbe76c9"},
	{"float 0.5", float64(0.5), `0.5`, "cb3fe0000000000000"},
	{"float 1234567890123456.7", float64(1234567890123456.7), `1234567890123456.8`, "cb43118b54f22aeb03"},
	{"float nan", math.NaN(), `NaN`, "cb7ff8000000000000"},
	{"float inf", math.Inf(1), `Infinity`, "cb7ff0000000000000"},
	{"float -inf", math.Inf(-1), `-Infinity`, "cbfff0000000000000"},
	{"float32 0.1", float32(0.1), `0.10000000149011612`, "cb3fb99999a0000000"},
	{"int 0", int64(0), `0`, "00"},
	{"int 1", int64(1), `1`, "01"},
	{"int 127", int64(127), `127`, "7f"},
	{"int 128", int64(128), `128`, "cc80"},
	{"int 255", int64(255), `255`, "ccff"},
	{"int 256", int64(256), `256`, "cd0100"},
	{"int 32767", int64(32767), `32767`, "cd7fff"},
	{"int 32768", int64(32768), `32768`, "cd8000"},
	{"int 65535", int64(65535), `65535`, "cdffff"},
	{"int 65536", int64(65536), `65536`, "ce00010000"},
	{"int 2147483647", int64(2147483647), `2147483647`, "ce7fffffff"},
	{"int 2147483648", int64(2147483648), `2147483648`, "ce80000000"},
	{"int 4294967295", int64(4294967295), `4294967295`, "ceffffffff"},
	{"int 4294967296", int64(4294967296), `4294967296`, "cf0000000100000000"},
	{"int 9223372036854775807", int64(9223372036854775807), `9223372036854775807`, "cf7fffffffffffffff"},
	{"int -1", int64(-1), `-1`, "ff"},
	{"int -31", int64(-31), `-31`, "e1"},
	{"int -32", int64(-32), `-32`, "e0"},
	{"int -33", int64(-33), `-33`, "d0df"},
	{"int -127", int64(-127), `-127`, "d081"},
	{"int -128", int64(-128), `-128`, "d080"},
	{"int -129", int64(-129), `-129`, "d1ff7f"},
	{"int -32767", int64(-32767), `-32767`, "d18001"},
	{"int -32768", int64(-32768), `-32768`, "d18000"},
	{"int -32769", int64(-32769), `-32769`, "d2ffff7fff"},
	{"int -2147483648", int64(-2147483648), `-2147483648`, "d280000000"},
	{"int -2147483649", int64(-2147483649), `-2147483649`, "d3ffffffff7fffffff"},
	{"int -9223372036854775808", int64(math.MinInt64), `-9223372036854775808`, "d38000000000000000"},
	{"uint 2^63", uint64(1 << 63), `9223372036854775808`, "cf8000000000000000"},
	{"uint 2^64-1", uint64(math.MaxUint64), `18446744073709551615`, "cfffffffffffffffff"},
	{"int8 -5", int8(-5), `-5`, "fb"},
	{"uint16 300", uint16(300), `300`, "cd012c"},
	{"int 70000", 70000, `70000`, "ce00011170"},
	{"uint8 200", uint8(200), `200`, "ccc8"},
	{"uint32 4e9", uint32(4000000000), `4000000000`, "ceee6b2800"},
	{"str empty", "", `""`, "a0"},
	{"str ascii", "hello world", `"hello world"`, "ab68656c6c6f20776f726c64"},
	{"str controls", "\x00\x01\x1f\x7f", `"\u0000\u0001\u001f\u007f"`, "a400011f7f"},
	{"str short escapes", "\x08\x0c\x0a\x0d\x09", `"\b\f\n\r\t"`, "a5080c0a0d09"},
	{"str quote backslash slash", "\"\\/", `"\"\\/"`, "a3225c2f"},
	{"str latin1", "h\u00e9llo", `"h\u00e9llo"`, "a668c3a96c6c6f"},
	{"str snowman", "\u2603", `"\u2603"`, "a3e29883"},
	{"str emoji", "\U0001f600", `"\ud83d\ude00"`, "a4f09f9880"},
	{"str line sep bom", "\u2028\ufeff", `"\u2028\ufeff"`, "a6e280a8efbbbf"},
	{"str mixed", "h\u00e9llo \u2603 \U0001f600", `"h\u00e9llo \u2603 \ud83d\ude00"`, "af68c3a96c6c6f20e2988320f09f9880"},
	{"str html", "<a&b>", `"<a&b>"`, "a53c6126623e"},
	{"str max bmp", "\uffff", `"\uffff"`, "a3efbfbf"},
	{"str max rune", "\U0010ffff", `"\udbff\udfff"`, "a4f48fbfbf"},
	{"str U+0080", "\u0080", `"\u0080"`, "a2c280"},
	{"str tab in text", "a\x09b", `"a\tb"`, "a3610962"},
	{"str 0x1e", "\x1e", `"\u001e"`, "a11e"},
	{"str len 31", strings.Repeat("x", 31), `"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"`, "bf78787878787878787878787878787878787878787878787878787878787878"},
	{"str len 32", strings.Repeat("x", 32), `"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"`, "d9207878787878787878787878787878787878787878787878787878787878787878"},
	{"str len 255", strings.Repeat("x", 255), "sha:781303d81b3cab76cf8328e39b2759da9aba7651d6b44fc6bc5b7cf756043bde:\"xxxxxxx", "sha:359de2a1267b5042ac12d1ce4661cb1dfee3da46316341b41f61ecdcd35835a6:d9ff787878787878"},
	{"str len 256", strings.Repeat("x", 256), "sha:dbfdd035aca42f2e8ed032df4e144e80695805c105c958e29853c0466a39d15f:\"xxxxxxx", "sha:812c21cd063664cf24bdb0c1de5c57e6b0d9a3576f54bc5891f2c52ef67b881a:da01007878787878"},
	{"str len 65535", strings.Repeat("x", 65535), "sha:0f90b01cf9c38ff5bc73e80fcbd202ca4db7e60a6d7c81f493674c88e106831f:\"xxxxxxx", "sha:c09966194b0ff2c503279bb172bd56189e276f5473b75e841810cbe0291c0243:daffff7878787878"},
	{"str len 65536", strings.Repeat("x", 65536), "sha:afb3bbecac846785e46b87edbed49d7e06a9e186e9ce70ef8e59b33c9c72145f:\"xxxxxxx", "sha:b9e568708bf0ca2fe11ac7557eb959207098fd662c78913c4a1e7935ac1e5238:db00010000787878"},
	{"bin len 0", bytes.Repeat([]byte{0xab}, 0), "!error", "c400"},
	{"bin len 1", bytes.Repeat([]byte{0xab}, 1), "!error", "c401ab"},
	{"bin len 255", bytes.Repeat([]byte{0xab}, 255), "!error", "sha:023e666c8c6c21887a65a9b791c365aca6d3874727d1089453a78ea82c838cd4:c4ffabababababab"},
	{"bin len 256", bytes.Repeat([]byte{0xab}, 256), "!error", "sha:243343ed2aa9296b5c8ac0ed2b4576be81f3fd78aa752c323083d6e6d9d31864:c50100ababababab"},
	{"bin len 65535", bytes.Repeat([]byte{0xab}, 65535), "!error", "sha:293c7b76bef51b70a23e927890d94d774a67cd45a4d2d2c73ca84c441bc66774:c5ffffababababab"},
	{"bin len 65536", bytes.Repeat([]byte{0xab}, 65536), "!error", "sha:9749f64fe8c2064ddbc440391d988742598f8b1b0134fc1c8e7b0640fed408f3:c600010000ababab"},
	{"bin nil", []byte(nil), "!error", "c400"},
	{"nil", nil, `null`, "c0"},
	{"true", true, `true`, "c3"},
	{"false", false, `false`, "c2"},
	{"list len 0", seqList(0), `[]`, "90"},
	{"list len 15", seqList(15), `[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14]`, "9f000102030405060708090a0b0c0d0e"},
	{"list len 16", seqList(16), `[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]`, "dc0010000102030405060708090a0b0c0d0e0f"},
	{"list len 65535", seqList(65535), "sha:27e0a6f13ea11ed8ef393ba78bca687b5db3204c3f792221f968a8fdc765fbcd:[0,1,2,3", "sha:84fbce041cef34bf12b8eda90b649e341d2417421575bc77dd1ae7e11f0de756:dcffff0001020304"},
	{"list len 65536", seqList(65536), "sha:6cfb997f70de956e398823d6c6f0e53c0dcd43ed40cb35a2f1d57c24fff3d219:[0,1,2,3", "sha:2eea08645ee56f17b95d735ca01c86bc37d001b86d33171871bff4050b4f2953:dd00010000000102"},
	{"map len 0", seqMap(0), `{}`, "80"},
	{"map len 15", seqMap(15), `{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14}`, "8fa26b3000a26b3101a26b3202a26b3303a26b3404a26b3505a26b3606a26b3707a26b3808a26b3909a36b31300aa36b31310ba36b31320ca36b31330da36b31340e"},
	{"map len 16", seqMap(16), `{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15}`, "de0010a26b3000a26b3101a26b3202a26b3303a26b3404a26b3505a26b3606a26b3707a26b3808a26b3909a36b31300aa36b31310ba36b31320ca36b31330da36b31340ea36b31350f"},
	{"map len 65535", seqMap(65535), "sha:e6eb86bd908f02230c245437d6f3a9db9b496f4de6138b47acebad5967eaa72f:{\"k0\":0,", "sha:c3b94509455ab78827ffa3854190926a7f025188c1acf59e65636c80094188ce:deffffa26b3000a2"},
	{"map len 65536", seqMap(65536), "sha:f92c60aea1e6f82da9925595b80bc13377650533f0178acd1b6568452850c0ea:{\"k0\":0,", "sha:7b47e6141929074cb2dc832d23b64c6fffd8077f7204e179aee536fb0441af43:df00010000a26b30"},
	{"nested", Map{{"a", []any{int64(1), Map{{"b", nil}}}}, {"c", Map{}}, {"d", []any{}}, {"e", []any{[]any{[]any{}}}}}, `{"a":[1,{"b":null}],"c":{},"d":[],"e":[[[]]]}`, "84a161920181a162c0a16380a16490a165919190"},
	{"order kept", Map{{"z", int64(1)}, {"a", int64(2)}, {"m", int64(3)}}, `{"z":1,"a":2,"m":3}`, "83a17a01a16102a16d03"},
	{"go map sorted", map[string]any{"z": 1, "a": "x", "m": []string{"p", "q"}}, `{"a":"x","m":["p","q"],"z":1}`, "83a161a178a16d92a170a171a17a01"},
	{"go map string string", map[string]string{"b": "2", "a": "1"}, `{"a":"1","b":"2"}`, "82a161a131a162a132"},
	{"typed slices", []any{[]string{"a"}, []int{1, -1}, []int64{300}, []float64{1, 0.5}, []Map{{{"k", "v"}}}}, `[["a"],[1,-1],[300],[1.0,0.5],[{"k":"v"}]]`, "9591a1619201ff91cd012c92cb3ff0000000000000cb3fe00000000000009181a16ba176"},
	{"unicode key", Map{{"h\u00e9", "\U0001f600"}}, `{"h\u00e9":"\ud83d\ude00"}`, "81a368c3a9a4f09f9880"},
	{"salt load", Map{{"route", Map{{"src", []any{nil, "alpha", nil}}, {"dst", []any{nil, "beta", "echo"}}}}, {"load", Map{{"fun", "test.ping"}, {"arg", []any{}}, {"tgt", "*"}, {"jid", "20261122040200123456"}, {"ret", ""}, {"user", "root"}, {"kwargs", Map{{"timeout", 5.0}, {"show", true}}}}}}, `{"route":{"src":[null,"alpha",null],"dst":[null,"beta","echo"]},"load":{"fun":"test.ping","arg":[],"tgt":"*","jid":"20261122040200123456","ret":"","user":"root","kwargs":{"timeout":5.0,"show":true}}}`, "82a5726f75746582a373726393c0a5616c706861c0a364737493c0a462657461a46563686fa46c6f616487a366756ea9746573742e70696e67a361726790a3746774a12aa36a6964b43230323631313232303430323030313233343536a3726574a0a475736572a4726f6f74a66b776172677382a774696d656f7574cb4014000000000000a473686f77c3"},
	{"ext len 1", Ext{Type: 5, Data: bytes.Repeat([]byte{0xcd}, 1)}, "!error", "d405cd"},
	{"ext len 2", Ext{Type: 5, Data: bytes.Repeat([]byte{0xcd}, 2)}, "!error", "d505cdcd"},
	{"ext len 3", Ext{Type: 5, Data: bytes.Repeat([]byte{0xcd}, 3)}, "!error", "c70305cdcdcd"},
	{"ext len 4", Ext{Type: 5, Data: bytes.Repeat([]byte{0xcd}, 4)}, "!error", "d605cdcdcdcd"},
	{"ext len 8", Ext{Type: 5, Data: bytes.Repeat([]byte{0xcd}, 8)}, "!error", "d705cdcdcdcdcdcdcdcd"},
	{"ext len 16", Ext{Type: 5, Data: bytes.Repeat([]byte{0xcd}, 16)}, "!error", "d805cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"},
	{"ext len 17", Ext{Type: 5, Data: bytes.Repeat([]byte{0xcd}, 17)}, "!error", "c71105cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"},
	{"ext len 255", Ext{Type: 5, Data: bytes.Repeat([]byte{0xcd}, 255)}, "!error", "sha:800eb51541ed6b2aff4b219ccddb969d9de808ce7f6406c366e57eb6b99ecf72:c7ff05cdcdcdcdcd"},
	{"ext len 256", Ext{Type: 5, Data: bytes.Repeat([]byte{0xcd}, 256)}, "!error", "sha:726d5a6fee761f9de9cfb2aaff327f8b496b6bf440dc1c2ebb80160862302384:c8010005cdcdcdcd"},
	{"ext len 65536", Ext{Type: 5, Data: bytes.Repeat([]byte{0xcd}, 65536)}, "!error", "sha:8a46bac4eb2dac88cee4a0fbedf9e2dadea6182b43eb330bce2b2b41f9bb1595:c90001000005cdcd"},
	{"ext timestamp", Ext{Type: -1, Data: []byte{0, 0, 0, 1}}, "!error", "d6ff00000001"},
	{"ext zero", Ext{Type: 127, Data: []byte{}}, "!error", "c7007f"},
}

func seqList(n int) []any {
	l := make([]any, n)
	for i := range l {
		l[i] = int64(i % 200)
	}
	return l
}

func seqMap(n int) Map {
	m := make(Map, n)
	for i := range m {
		m[i] = Item{"k" + strconv.Itoa(i), int64(i)}
	}
	return m
}

// checkPython compares got with an expected output in the format of
// pythonCases.
func checkPython(t *testing.T, what string, got []byte, want string, wantIsHex bool) {
	t.Helper()
	if rest, ok := strings.CutPrefix(want, "sha:"); ok {
		sum, prefix, _ := strings.Cut(rest, ":")
		p := []byte(prefix)
		if wantIsHex {
			p, _ = hex.DecodeString(prefix)
		}
		if sha(got) != sum || !bytes.HasPrefix(got, p) {
			t.Errorf("%s: got %d bytes starting %.16x (sha256 %s), want sha256 %s starting %q", what, len(got), got, sha(got), sum, prefix)
		}
		return
	}
	if wantIsHex {
		if hex.EncodeToString(got) != want {
			t.Errorf("%s:\n got %x\nwant %s", what, got, want)
		}
		return
	}
	if string(got) != want {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}

func TestPythonJSON(t *testing.T) {
	for _, c := range pythonCases {
		got, err := AppendJSON(nil, c.v)
		if c.json == "!error" {
			if err == nil || !isBodyErr(err) {
				t.Errorf("%s: AppendJSON = %s, %v; want a body error (Python refuses)", c.name, got, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: AppendJSON: %v", c.name, err)
			continue
		}
		checkPython(t, c.name+" json", got, c.json, false)
	}
}

func TestPythonMsgpack(t *testing.T) {
	for _, c := range pythonCases {
		got, err := AppendMsgpack(nil, c.v)
		if err != nil {
			t.Errorf("%s: AppendMsgpack: %v", c.name, err)
			continue
		}
		checkPython(t, c.name+" msgpack", got, c.msgpack, true)
	}
}

// TestPythonDecode reads Python's outputs back and writes them again: the
// decoder must accept everything the table holds, and the value it gives
// must encode to the same bytes.
func TestPythonDecode(t *testing.T) {
	for _, c := range pythonCases {
		if !strings.HasPrefix(c.msgpack, "sha:") {
			b, _ := hex.DecodeString(c.msgpack)
			v, err := DecodeMsgpack(b)
			if err != nil {
				t.Errorf("%s: DecodeMsgpack(%x): %v", c.name, b, err)
				continue
			}
			again, err := AppendMsgpack(nil, v)
			if err != nil || !bytes.Equal(again, b) {
				t.Errorf("%s: msgpack %x decoded to %s, which encodes to %x, %v", c.name, b, show(v), again, err)
			}
		}
		if c.json != "!error" && !strings.HasPrefix(c.json, "sha:") {
			v, err := DecodeJSON([]byte(c.json))
			if err != nil {
				t.Errorf("%s: DecodeJSON(%s): %v", c.name, c.json, err)
				continue
			}
			again, err := AppendJSON(nil, v)
			if err != nil || string(again) != c.json {
				t.Errorf("%s: json %s decoded to %s, which encodes to %s, %v", c.name, c.json, show(v), again, err)
			}
		}
	}
}
