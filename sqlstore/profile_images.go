package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/latchkeyhq/latchkey"
)

// SetProfileImage stores img as the user's only profile image and points the
// user's image_url at imageURL(img.ID), in one transaction: the previous
// image is deleted with it. It assigns img.ID and img.CreatedAt and returns
// the updated user (latchkey.ErrNotFound when there is no such user).
func (s *Store) SetProfileImage(ctx context.Context, img *latchkey.ProfileImage, imageURL func(id string) string) (*latchkey.User, error) {
	var out *latchkey.User
	err := s.withTx(ctx, func(tx *Tx) error {
		img.ID = latchkey.NewID(latchkey.PrefixProfileImage)
		img.CreatedAt = tx.now
		if err := setUserImageURL(ctx, tx, img.UserID, imageURL(img.ID)); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM profile_images WHERE user_id = ?`, img.UserID); err != nil {
			return fmt.Errorf("delete profile images: %w", err)
		}
		_, err := tx.exec(ctx, `INSERT INTO profile_images (id, user_id, content_type, width, height, data, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, img.ID, img.UserID, img.ContentType, img.Width, img.Height, img.Data, ms(img.CreatedAt))
		if err != nil {
			return fmt.Errorf("insert profile image: %w", err)
		}
		u, err := userByID(ctx, tx.conn, img.UserID)
		out = u
		return err
	})
	return out, err
}

// RemoveProfileImage deletes the user's uploaded image, if any, and clears
// image_url (which an operator may also have set to an outside URL). It
// returns the updated user.
func (s *Store) RemoveProfileImage(ctx context.Context, userID string) (*latchkey.User, error) {
	var out *latchkey.User
	err := s.withTx(ctx, func(tx *Tx) error {
		if err := setUserImageURL(ctx, tx, userID, ""); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM profile_images WHERE user_id = ?`, userID); err != nil {
			return fmt.Errorf("delete profile images: %w", err)
		}
		u, err := userByID(ctx, tx.conn, userID)
		out = u
		return err
	})
	return out, err
}

// setUserImageURL changes the user's image_url, bumping its version like
// any other update.
func setUserImageURL(ctx context.Context, tx *Tx, userID, url string) error {
	res, err := tx.exec(ctx, `UPDATE users SET image_url = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		url, ms(tx.now), userID)
	if err != nil {
		return fmt.Errorf("update user image: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("user %q: %w", userID, latchkey.ErrNotFound)
	}
	return tx.addUserEvent(ctx, latchkey.EventUserUpdated, userID)
}

// ProfileImage returns the image with the given ID, or latchkey.ErrNotFound.
func (s *Store) ProfileImage(ctx context.Context, id string) (*latchkey.ProfileImage, error) {
	var img latchkey.ProfileImage
	var created int64
	err := s.reader().queryRow(ctx, `SELECT id, user_id, content_type, width, height, data, created_at
		FROM profile_images WHERE id = ?`, id).Scan(&img.ID, &img.UserID, &img.ContentType, &img.Width, &img.Height, &img.Data, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("profile image %q: %w", id, latchkey.ErrNotFound)
	} else if err != nil {
		return nil, fmt.Errorf("profile image %q: %w", id, err)
	}
	img.CreatedAt = fromMS(created)
	return &img, nil
}
