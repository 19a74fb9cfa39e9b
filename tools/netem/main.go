// nonstop-netem: netem's delay, jitter, loss and corruption, done from netfilter's packet
// queue (NFQUEUE) in userspace, for kernels built without sch_netem (this project's CI
// kernel is one). It runs in the target container's network namespace, inside a helper
// container that shares it; an iptables rule sends the target's outgoing packets to the
// queue with --queue-bypass, so packets flow untouched whenever this program is not
// running. Only the standard library: the netlink messages are a few fixed structs.
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

const (
	netlinkNetfilter = 12
	subsysQueue      = 3
	msgPacket        = subsysQueue<<8 | 0
	msgVerdict       = subsysQueue<<8 | 1
	msgConfig        = subsysQueue<<8 | 2
	cfgCmd           = 1
	cfgParams        = 2
	cfgQueueMaxlen   = 3
	attrPacketHdr    = 1
	attrVerdictHdr   = 2
	attrPayload      = 10
	cmdBind          = 1
	copyPacket       = 2
	verdictDrop      = 0
	verdictAccept    = 1
	flagRequest      = 1
	flagAck          = 4
)

type queue struct {
	fd  int
	num uint16
	mu  sync.Mutex
	seq uint32
}

func attr(typ uint16, payload []byte) []byte {
	b := make([]byte, 4+len(payload)+(4-len(payload)%4)%4)
	binary.LittleEndian.PutUint16(b[0:2], uint16(4+len(payload)))
	binary.LittleEndian.PutUint16(b[2:4], typ)
	copy(b[4:], payload)
	return b
}

func (q *queue) send(typ uint16, flags uint16, attrs ...[]byte) error {
	body := []byte{0 /* AF_UNSPEC */, 0 /* version */, 0, 0}
	binary.BigEndian.PutUint16(body[2:4], q.num)
	for _, a := range attrs {
		body = append(body, a...)
	}
	msg := make([]byte, 16, 16+len(body))
	q.mu.Lock()
	defer q.mu.Unlock()
	q.seq++
	binary.LittleEndian.PutUint32(msg[0:4], uint32(16+len(body)))
	binary.LittleEndian.PutUint16(msg[4:6], typ)
	binary.LittleEndian.PutUint16(msg[6:8], flags|flagRequest)
	binary.LittleEndian.PutUint32(msg[8:12], q.seq)
	msg = append(msg, body...)
	return syscall.Sendto(q.fd, msg, 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK})
}

func (q *queue) verdict(id uint32, v uint32, payload []byte) {
	hdr := make([]byte, 8)
	binary.BigEndian.PutUint32(hdr[0:4], v)
	binary.BigEndian.PutUint32(hdr[4:8], id)
	attrs := [][]byte{attr(attrVerdictHdr, hdr)}
	if payload != nil {
		attrs = append(attrs, attr(attrPayload, payload))
	}
	if err := q.send(msgVerdict, 0, attrs...); err != nil {
		fmt.Fprintf(os.Stderr, "nonstop-netem: verdict: %v\n", err)
	}
}

func open(num uint16, maxlen uint32) (*queue, error) {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW, netlinkNetfilter)
	if err != nil {
		return nil, fmt.Errorf("netlink socket: %w", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("bind: %w", err)
	}
	// Held packets queue in the kernel, not in this socket, but a burst of them arriving
	// at once must not overflow it (ENOBUFS loses the packets' verdicts).
	_ = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, 8<<20)
	q := &queue{fd: fd, num: num}
	if err := q.send(msgConfig, flagAck, attr(cfgCmd, []byte{cmdBind, 0, 0, 0})); err != nil {
		return nil, fmt.Errorf("bind queue %d: %w", num, err)
	}
	params := make([]byte, 5)
	binary.BigEndian.PutUint32(params[0:4], 0xffff)
	params[4] = copyPacket
	if err := q.send(msgConfig, flagAck, attr(cfgParams, params)); err != nil {
		return nil, fmt.Errorf("queue params: %w", err)
	}
	ml := make([]byte, 4)
	binary.BigEndian.PutUint32(ml, maxlen)
	if err := q.send(msgConfig, flagAck, attr(cfgQueueMaxlen, ml)); err != nil {
		return nil, fmt.Errorf("queue length: %w", err)
	}
	return q, nil
}

type packet struct {
	id      uint32
	payload []byte
}

// align rounds a netlink length up to 4 bytes, but never past the end of what was read:
// the last message or attribute of a datagram need not be padded.
func align(n, have int) int {
	if a := (n + 3) &^ 3; a <= have {
		return a
	}
	return have
}

// parse returns the queued packets in one netlink datagram, and the first error the
// kernel reported (an answer to a config request).
func parse(buf []byte) ([]packet, error) {
	var out []packet
	for len(buf) >= 16 {
		n := int(binary.LittleEndian.Uint32(buf[0:4]))
		typ := binary.LittleEndian.Uint16(buf[4:6])
		if n < 16 || n > len(buf) {
			break
		}
		msg := buf[16:n]
		buf = buf[align(n, len(buf)):]
		if typ == syscall.NLMSG_ERROR && len(msg) >= 4 {
			if code := int32(binary.LittleEndian.Uint32(msg[0:4])); code != 0 {
				return out, syscall.Errno(-code)
			}
			continue
		}
		if typ != msgPacket || len(msg) < 4 {
			continue
		}
		var p packet
		have := false
		for a := msg[4:]; len(a) >= 4; {
			l := int(binary.LittleEndian.Uint16(a[0:2]))
			t := binary.LittleEndian.Uint16(a[2:4]) & 0x3fff
			if l < 4 || l > len(a) {
				break
			}
			v := a[4:l]
			next := align(l, len(a))
			switch t {
			case attrPacketHdr:
				if len(v) >= 4 {
					p.id = binary.BigEndian.Uint32(v[0:4])
					have = true
				}
			case attrPayload:
				p.payload = append([]byte(nil), v...)
			}
			a = a[next:]
		}
		if have {
			out = append(out, p)
		}
	}
	return out, nil
}

func main() {
	num := flag.Uint("queue", 0, "NFQUEUE number the iptables rule sends packets to")
	delay := flag.Duration("delay", 0, "added to every packet")
	jitter := flag.Duration("jitter", 0, "uniform variation of the delay, ±")
	loss := flag.Float64("loss", 0, "percent of packets dropped")
	corrupt := flag.Float64("corrupt", 0, "percent of packets with one byte flipped past the IP header")
	seed := flag.Int64("seed", time.Now().UnixNano(), "random seed")
	flag.Parse()
	rng := rand.New(rand.NewSource(*seed))
	var rngMu sync.Mutex
	chance := func(pct float64) bool {
		rngMu.Lock()
		defer rngMu.Unlock()
		return pct > 0 && rng.Float64()*100 < pct
	}
	hold := func() time.Duration {
		rngMu.Lock()
		defer rngMu.Unlock()
		d := *delay
		if *jitter > 0 {
			d += time.Duration((rng.Float64()*2 - 1) * float64(*jitter))
		}
		if d < 0 {
			d = 0
		}
		return d
	}

	q, err := open(uint16(*num), 65536)
	if err != nil {
		fmt.Fprintf(os.Stderr, "nonstop-netem: %v\n", err)
		os.Exit(1)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		// Packets still held are released by the kernel when the socket closes (the rule's
		// --queue-bypass lets new ones through).
		os.Exit(0)
	}()
	// The helper's owner waits for this line: from here on every queued packet is judged.
	fmt.Printf("ready: queue %d delay %v jitter %v loss %.2f%% corrupt %.2f%%\n", *num, *delay, *jitter, *loss, *corrupt)
	buf := make([]byte, 1<<17)
	for {
		n, _, err := syscall.Recvfrom(q.fd, buf, 0)
		if err != nil {
			if err == syscall.ENOBUFS || err == syscall.EINTR {
				continue
			}
			fmt.Fprintf(os.Stderr, "nonstop-netem: recv: %v\n", err)
			os.Exit(1)
		}
		pkts, err := parse(buf[:n])
		if err != nil {
			fmt.Fprintf(os.Stderr, "nonstop-netem: kernel: %v\n", err)
			os.Exit(1)
		}
		for _, p := range pkts {
			switch {
			case chance(*loss):
				q.verdict(p.id, verdictDrop, nil)
			default:
				var payload []byte
				if chance(*corrupt) && len(p.payload) > 20 {
					payload = p.payload
					rngMu.Lock()
					i := 20 + rng.Intn(len(payload)-20)
					rngMu.Unlock()
					payload[i] ^= 0xff
				}
				if d := hold(); d > 0 {
					id := p.id
					time.AfterFunc(d, func() { q.verdict(id, verdictAccept, payload) })
				} else {
					q.verdict(p.id, verdictAccept, payload)
				}
			}
		}
	}
}
