"""Neural collaborative filtering: embeddings through an MLP instead of a dot product (reference solution)."""

import torch
from torch import nn


def emb_size_rule(n: int) -> int:
    """A rule of thumb for the embedding size of a category with ``n`` levels."""
    # Grows sub-linearly with the number of levels (a power a little above 1/2), and is
    # capped so that huge vocabularies do not get absurdly wide tables.
    return min(600, round(1.6 * n**0.56))


class NeuralCF(nn.Module):
    """Concatenate a user and an item embedding and score the pair with a small MLP."""

    def __init__(
        self,
        n_users: int,
        n_items: int,
        user_sz: int | None = None,
        item_sz: int | None = None,
        n_hidden: int = 100,
        p: float = 0.1,
        y_range: tuple[float, float] = (0.0, 5.5),
    ) -> None:
        super().__init__()
        # The two tables need not have the same width: nothing takes a dot product of them.
        user_sz = emb_size_rule(n_users) if user_sz is None else user_sz
        item_sz = emb_size_rule(n_items) if item_sz is None else item_sz
        self.user_emb = nn.Embedding(n_users, user_sz)
        self.item_emb = nn.Embedding(n_items, item_sz)
        self.hidden = nn.Linear(user_sz + item_sz, n_hidden)
        self.out = nn.Linear(n_hidden, 1)
        self.p = p
        self.y_range = y_range

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        # Column 0 is the user, column 1 the item; the hidden layer's weights are laid out in
        # that order, so the concatenation must be too.
        z = torch.cat([self.user_emb(x[:, 0]), self.item_emb(x[:, 1])], dim=1)
        h = torch.relu(self.hidden(z))
        if self.training and self.p > 0:
            # Inverted dropout: drop each unit with probability p and scale the survivors by
            # 1 / (1 - p), so the expected activation equals the eval-mode one and nothing
            # has to change at inference time.
            u = torch.rand(h.shape, generator=generator, device=h.device, dtype=h.dtype)
            h = h * (u >= self.p).to(h.dtype) / (1 - self.p)
        score = self.out(h).squeeze(-1)
        low, high = self.y_range
        return torch.sigmoid(score) * (high - low) + low
