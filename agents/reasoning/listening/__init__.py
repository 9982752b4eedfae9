"""The prospect that listens: what the offline prospect (``agents.reasoning.prospect``) and the
Claude coach read in a rep's reply and how the buyer answers it.

- :mod:`.buyer_turns`: the buyer's side of the champion's call, embedded once per call;
- :mod:`.reading`: a reply read for a question (answered from the call, else the scenario), a
  next step (:mod:`.steps`) and the concern on the table;
- :mod:`.moves`: where the conversation goes and what the buyer says (:mod:`.lines`, the
  concern in the buyer's words: :mod:`.concern`);
- :mod:`.clean`: a transcribed line made fit to say; :mod:`.vectors`: one embedding per text;
- :mod:`.evaluation`: the answers measured on labelled questions, tuning and reported apart.
"""
