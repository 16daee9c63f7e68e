"""Which model a set of vectors belongs to.

Vectors of two models live in unrelated spaces (even two with the same
size): a cosine between them means nothing. So every stored moment file and
every index records the identity of the model that made its vectors, a
query carries the identity of the model that embedded it, and the two must
be equal. Each identity gets its own directory inside an index directory,
so changing models builds a new index beside the old one.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass

from vidclip.config import OFFLINE_MODEL
from vidclip.errors import ModelMismatchError
from vidclip.schema import ModelInfo


@dataclass(frozen=True)
class ModelIdentity:
    name: str
    pretrained: str | None
    dim: int
    kind: str

    @classmethod
    def of(cls, info: ModelInfo) -> "ModelIdentity":
        return cls(info.name, info.pretrained, int(info.embedding_dim), info.kind)

    @property
    def model_name(self) -> str:
        """What ``--model`` names this model by (the offline encoder records a longer name)."""
        return OFFLINE_MODEL if self.kind == "offline" else self.name

    @property
    def model_pretrained(self) -> str | None:
        """What ``--pretrained`` takes for it (the offline encoder's weights come with it)."""
        return None if self.kind == "offline" else self.pretrained

    @property
    def slug(self) -> str:
        """A directory name: readable, and unique through a hash of the whole identity."""
        readable = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{self.kind}-{self.name}-{self.dim}")
        digest = hashlib.sha256(self.to_json().encode()).hexdigest()[:10]
        return f"{readable.strip('-.')[:60]}-{digest}"

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "ModelIdentity":
        data = json.loads(text)
        return cls(str(data["name"]), data.get("pretrained"), int(data["dim"]), str(data["kind"]))

    def describe(self) -> str:
        pretrained = f" ({self.pretrained})" if self.pretrained else ""
        return f"{self.kind} model {self.name}{pretrained}, {self.dim}-d"

    def require(self, other: "ModelIdentity") -> None:
        """Refuse vectors of ``other`` where ours are expected."""
        if other != self:
            raise ModelMismatchError(
                f"this index holds vectors of the {self.describe()}; the query was embedded "
                f"by the {other.describe()}. Query with --model {self.model_name}"
                + (f" --pretrained {self.model_pretrained}" if self.model_pretrained else "")
                + ", or index the archive with the other model (it gets its own index "
                "beside this one).")
