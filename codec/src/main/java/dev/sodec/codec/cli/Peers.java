package dev.sodec.codec.cli;

import dev.sodec.codec.eval.JpegPeer;
import dev.sodec.codec.eval.Peer;
import dev.sodec.codec.eval.WebpPeer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The peers a comparison runs: JPEG with standard and optimized Huffman tables, and WebP when installed. */
final class Peers {
    private Peers() {}

    /** All available peers; a note is added for each one that is not. */
    static List<Peer> all(List<String> notes) {
        List<Peer> p = new ArrayList<>(List.of(new JpegPeer(false), new JpegPeer(true)));
        Optional<WebpPeer> webp = WebpPeer.find();
        if (webp.isPresent()) p.add(webp.get());
        else notes.add(WebpPeer.MISSING);
        return p;
    }
}
