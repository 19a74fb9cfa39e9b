package main

import (
	"encoding/binary"
	"testing"
)

// A packet message as the kernel sends it: nlmsghdr, nfgenmsg, then the packet header and
// payload attributes. `pad` says whether the last attribute is padded to 4 bytes.
func packetMsg(id uint32, payload []byte, pad bool) []byte {
	hdr := make([]byte, 7)
	binary.BigEndian.PutUint32(hdr[0:4], id)
	a1 := attr(attrPacketHdr, hdr)
	a2 := attr(attrPayload, payload)
	if !pad {
		a2 = a2[:4+len(payload)]
	}
	body := append([]byte{0, 0, 0, 0}, append(a1, a2...)...)
	msg := make([]byte, 16)
	binary.LittleEndian.PutUint32(msg[0:4], uint32(16+len(body)))
	binary.LittleEndian.PutUint16(msg[4:6], msgPacket)
	return append(msg, body...)
}

func TestParseUnpaddedLastMessage(t *testing.T) {
	// A 265-byte datagram whose last attribute is not padded panicked (slice bounds out of range).
	for size := 20; size < 80; size++ {
		payload := make([]byte, size)
		for _, pad := range []bool{true, false} {
			pkts, err := parse(packetMsg(7, payload, pad))
			if err != nil || len(pkts) != 1 || pkts[0].id != 7 || len(pkts[0].payload) != size {
				t.Fatalf("size %d pad %v: %v %+v", size, pad, err, pkts)
			}
		}
	}
}

func TestParseTwoMessages(t *testing.T) {
	m := append(packetMsg(1, make([]byte, 40), true), packetMsg(2, make([]byte, 41), false)...)
	pkts, err := parse(m)
	if err != nil || len(pkts) != 2 || pkts[0].id != 1 || pkts[1].id != 2 {
		t.Fatalf("%v %+v", err, pkts)
	}
}
